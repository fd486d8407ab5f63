using System.Collections.Frozen;

namespace AssetServer.Files.Query;

/// <summary>
/// A table the REST query language can ask about: its allow-listed fields (the only names that reach SQL as
/// identifiers), what <c>search</c> looks in and the default order. <c>files</c>, and the activity and revisions logs.
/// </summary>
public sealed class QueryTable
{
    private readonly Dictionary<string, FileField> byName;

    public QueryTable(string name, IReadOnlyList<FileField> fields, string columns, IReadOnlyList<string> searchable, IReadOnlyList<SortKey> defaultSort)
    {
        Name = name;
        Fields = fields;
        Columns = columns;
        Searchable = searchable;
        DefaultSort = defaultSort;
        byName = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        DefaultFields = fields.Where(f => !f.Hidden).Select(f => f.Name).ToArray();
    }

    /// <summary>The SQL table.</summary>
    public string Name { get; }

    public IReadOnlyList<FileField> Fields { get; }

    /// <summary>The select list of a row.</summary>
    public string Columns { get; }

    public IReadOnlyList<string> Searchable { get; }

    /// <summary>Ends with <c>id</c>, the tie-breaker that keeps paging stable.</summary>
    public IReadOnlyList<SortKey> DefaultSort { get; }

    /// <summary>What <c>fields=*</c> returns.</summary>
    public IReadOnlyList<string> DefaultFields { get; }

    /// <summary>
    /// Fields the table has but this caller may not read (its fields and columns leave them out): naming one in
    /// <c>fields</c>, <c>filter</c> or <c>sort</c> is 403, not an unknown field.
    /// </summary>
    public IReadOnlySet<string> Withheld { get; init; } = FrozenSet<string>.Empty;

    public FileField? Find(string name) => byName.GetValueOrDefault(name);

    /// <summary>
    /// The substring index over <see cref="Searchable"/> (issue 21): on SQLite the FTS5 trigram table of that name, keyed
    /// by the rows' <c>numeric_id</c>; on PostgreSQL trigram indexes on <c>lower(field)</c>. Null where a table has none.
    /// </summary>
    public string? SubstringIndex { get; init; }

    /// <summary>
    /// Whether <c>total_count</c> is read from the <c>row_counts</c> row of this table, which triggers keep in step in
    /// each write's transaction, rather than counted.
    /// </summary>
    public bool CountedRows { get; init; }

    /// <summary>API.md: newest upload first, then id (the same way, so one index answers it) for a stable order.</summary>
    public static readonly QueryTable Files = new(
        "files", FileFields.All, Data.FileRepository.Columns, FileFields.Searchable, [new("uploaded_on", true), new("id", true)])
    {
        SubstringIndex = "files_search",
        CountedRows = true,
    };
}
