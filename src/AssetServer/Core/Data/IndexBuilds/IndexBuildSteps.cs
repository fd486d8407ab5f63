namespace AssetServer.Data.IndexBuilds;

/// <summary>
/// One step of the index build (issue 21): an index made by one statement, the search table filled in batches, or
/// indexes the new ones replace dropped. Its <see cref="Name"/> is its row in <c>index_builds</c>.
/// </summary>
public abstract record IndexBuildStep(string Name);

/// <summary><c>CREATE INDEX</c> of <see cref="IndexBuildStep.Name"/> on <see cref="Definition"/> (<c>files (…)</c>, <c>files USING gin (…)</c>).</summary>
public sealed record CreateIndex(string Name, string Definition) : IndexBuildStep(Name);

/// <summary>Indexes the build replaced, dropped once their successors are in place.</summary>
public sealed record DropIndexes(string Name, IReadOnlyList<string> Indexes) : IndexBuildStep(Name);

/// <summary>SQLite's trigram table filled with the rows written before its triggers were (010_query_indexes.sql).</summary>
public sealed record FillSearchTable(string Name) : IndexBuildStep(Name);

/// <summary>What the build makes, in order, for each database: what the builder's queries are written for (Files/Query/FileQuerySql.cs).</summary>
public static class IndexBuildSteps
{
    /// <summary>The step whose end lets SQLite's queries ask the trigram table (before it, they scan).</summary>
    public const string SearchTable = "files_search";

    /// <summary>
    /// Sorts: the builder orders by the asked fields, then by id in the direction of the last one; an index on
    /// (field, id) is read forwards for "field" and backwards for "-field", so one serves both. Then the common
    /// filters with the default order, newest first: a type, a folder, a mime group (the type up to its slash, as the
    /// builder writes it). The default page's old index goes last, when its successor is there.
    /// </summary>
    public static readonly IReadOnlyList<IndexBuildStep> Sqlite =
    [
        new CreateIndex("files_by_uploaded_on", "files (uploaded_on, id)"),
        new FillSearchTable(SearchTable),
        new CreateIndex("files_by_created_on", "files (created_on, id)"),
        new CreateIndex("files_by_modified_on", "files (modified_on, id)"),
        new CreateIndex("files_by_title", "files (title, id)"),
        new CreateIndex("files_by_filename_download", "files (filename_download, id)"),
        new CreateIndex("files_by_type", "files (type, id)"),
        new CreateIndex("files_by_filesize", "files (filesize, id)"),
        new CreateIndex("files_by_width", "files (width, id)"),
        new CreateIndex("files_by_height", "files (height, id)"),
        new CreateIndex("files_by_duration", "files (duration, id)"),
        // Strapi's default order (its id).
        new CreateIndex("files_by_numeric_id", "files (numeric_id, id)"),
        new CreateIndex("files_type_newest", "files (type, uploaded_on, id)"),
        new CreateIndex("files_folder_newest", "files (folder, uploaded_on, id)"),
        new CreateIndex("files_mime_group_newest", "files (substr(type, 1, instr(type, '/')), uploaded_on, id)"),
        // 001_files.sql's single-column indexes, which these replace.
        new DropIndexes("drop_replaced_indexes", ["files_uploaded_on", "files_filesize", "files_type", "files_folder"]),
    ];

    /// <summary>
    /// As <see cref="Sqlite"/>, each declared as the builder orders: text in byte order (COLLATE "C"), NULLs first
    /// ascending, so a forward scan answers "field" and a backward one "-field" (DESC NULLS LAST, id DESC NULLS LAST);
    /// a mismatch in either makes PostgreSQL sort the table. Then trigram GIN indexes on lower(field), which
    /// <c>LIKE '%term%'</c> reads, and <c>id</c> in byte order (the primary key compares in the database's collation).
    /// </summary>
    public static readonly IReadOnlyList<IndexBuildStep> Postgres =
    [
        Sort("files_by_uploaded_on", "uploaded_on COLLATE \"C\""),
        Sort("files_by_created_on", "created_on COLLATE \"C\""),
        Sort("files_by_modified_on", "modified_on COLLATE \"C\""),
        Sort("files_by_title", "title COLLATE \"C\""),
        Sort("files_by_filename_download", "filename_download COLLATE \"C\""),
        Sort("files_by_type", "type COLLATE \"C\""),
        Sort("files_by_filesize", "filesize"),
        Sort("files_by_width", "width"),
        Sort("files_by_height", "height"),
        Sort("files_by_duration", "duration"),
        Sort("files_by_numeric_id", "numeric_id"),
        // _eq compares in the column's own collation.
        Sort("files_type_newest", "type, uploaded_on COLLATE \"C\" NULLS FIRST"),
        Sort("files_folder_newest", "folder, uploaded_on COLLATE \"C\" NULLS FIRST"),
        Sort("files_mime_group_newest", "(substr(type, 1, strpos(type, '/'))), uploaded_on COLLATE \"C\" NULLS FIRST"),
        new CreateIndex("files_by_id", "files (id COLLATE \"C\" NULLS FIRST)"),
        Trigrams("title"),
        Trigrams("filename_download"),
        Trigrams("description"),
        Trigrams("location"),
        Trigrams("tags"),
        Trigrams("type"),
        new DropIndexes("drop_replaced_indexes", ["files_uploaded_on", "files_filesize", "files_type", "files_folder"]),
    ];

    private static CreateIndex Sort(string name, string leading) =>
        new(name, $"files ({(leading.Contains("NULLS") ? leading : leading + " NULLS FIRST")}, id COLLATE \"C\" NULLS FIRST)");

    private static CreateIndex Trigrams(string field) => new($"files_search_{field}", $"files USING gin (lower({field}) gin_trgm_ops)");
}
