using System.Data;
using System.Runtime.CompilerServices;
using AssetServer.Caching;
using AssetServer.Files;
using AssetServer.Files.Query;
using Dapper;
using System.Data.Common;
using Microsoft.Extensions.Options;

namespace AssetServer.Data;

/// <summary>
/// Owns every SQL statement on <c>files</c>. Values are always Dapper parameters; identifiers come
/// only from <see cref="FileFields"/>.
/// </summary>
/// <remarks>
/// Rows read by id are kept in memory tagged with the database's <see cref="DataVersion"/> as read <em>before</em>
/// the row, and served only while the version is unchanged. Any commit by anyone (this process, another process,
/// the CLI) changes it, so a request that starts after a write was acknowledged never gets the row from before it;
/// and since the tag is taken before the read, a reader that raced a commit can only store a row newer than its tag,
/// never put an older row back. The version check costs about a microsecond; the read it saves, a pooled connection,
/// a prepared statement and a mapped row, costs tens (benchmarks/RESULTS.md). The rows kept are bounded by
/// <c>Caching:RowBytes</c> (least recently used out first); a hot set of assets is far smaller.
/// </remarks>
public sealed class FileRepository(Database database, DataVersion dataVersion, IOptions<CachingOptions> caching, IOptions<FilesOptions> options, IndexBuilds.IndexBuilder indexes)
{
    private readonly VersionedCache<(long Era, long Version), FileRecord?> rows = new(caching.Value.RowBytes);

    /// <summary>Every column, in Directus's order; the list query selects the same.</summary>
    internal const string Columns =
        "id, storage, filename_disk, filename_download, title, type, folder, uploaded_by, created_on, modified_by, modified_on, " +
        "charset, filesize, width, height, duration, embed, description, location, tags, metadata, focal_point_x, focal_point_y, " +
        "uploaded_on, checksum, numeric_id, document_id, upload_hash, upload_ext, alternative_text, private_hash, upload_filename";

    private const string Values =
        "@Id, @Storage, @FilenameDisk, @FilenameDownload, @Title, @Type, @Folder, @UploadedBy, @CreatedOn, @ModifiedBy, @ModifiedOn, " +
        "@Charset, @Filesize, @Width, @Height, @Duration, @Embed, @Description, @Location, @Tags, @Metadata, @FocalPointX, @FocalPointY, " +
        "@UploadedOn, @Checksum, @NumericId, @DocumentId, @UploadHash, @UploadExt, @AlternativeText, @PrivateHash, @UploadFilename";

    private const string SelectById = $"SELECT {Columns} FROM files WHERE id = @id";

    /// <summary>The row as last committed, or null; callers get their own copy.</summary>
    public async Task<FileRecord?> GetAsync(string id, CancellationToken ct = default) => await GetAsync(id, await dataVersion.ReadAsync(ct), ct);

    /// <summary>As <see cref="GetAsync(string, CancellationToken)"/>, with the <see cref="DataVersion"/> the caller read just before.</summary>
    public async Task<FileRecord?> GetAsync(string id, (long Era, long Version) version, CancellationToken ct = default)
    {
        if (rows.TryGet(id, version, out var cached)) return cached?.Clone();

        var row = await database.ReadAsync(connection =>
            connection.QuerySingleOrDefaultAsync<FileRecord>(new CommandDefinition(SelectById, new { id }, cancellationToken: ct)), ct);
        rows.Add(id, version, row?.Clone(), ApproximateBytes(row));
        return row;
    }

    /// <summary>
    /// About what a row takes in memory: its strings (<c>metadata</c> may be 64 KiB) and the object with its numbers.
    /// A column added to <see cref="Columns"/> as a string belongs here too.
    /// </summary>
    internal static long ApproximateBytes(FileRecord? row) => row is null ? 0 : 160 + ApproximateSize.Of(
        row.Id, row.Storage, row.FilenameDisk, row.FilenameDownload, row.Title, row.Type, row.Folder, row.UploadedBy, row.CreatedOn,
        row.ModifiedBy, row.ModifiedOn, row.Charset, row.Embed, row.Description, row.Location, row.Tags, row.Metadata, row.UploadedOn,
        row.Checksum, row.DocumentId, row.UploadHash, row.UploadExt, row.AlternativeText, row.PrivateHash);

    /// <summary>PostgreSQL: the row stays locked until the write commits, so a concurrent write waits and starts from this one's result.</summary>
    private const string SelectByIdForUpdate = SelectById + " FOR UPDATE";

    /// <summary>
    /// The row as the open transaction sees it (never from memory): what a write starts from. On PostgreSQL it is
    /// locked until commit (READ COMMITTED would otherwise let two writers start from the same row and lose one update).
    /// </summary>
    public Task<FileRecord?> GetInTransactionAsync(IDbConnection connection, IDbTransaction tx, string id, CancellationToken ct = default) =>
        connection.QuerySingleOrDefaultAsync<FileRecord>(
            new CommandDefinition(database.IsPostgres ? SelectByIdForUpdate : SelectById, new { id }, tx, cancellationToken: ct));

    private const string SelectByIds = $"SELECT {Columns} FROM files WHERE id IN @ids ORDER BY id";

    /// <summary>
    /// Locks are taken in the order rows come out, byte order of id: two batch writes never wait on each other in a
    /// cycle. (Dapper hands Npgsql a list as one array parameter, not a list to expand: hence <c>= ANY</c>.)
    /// </summary>
    private const string SelectByIdsForUpdate = $"SELECT {Columns} FROM files WHERE id = ANY(@ids) ORDER BY id COLLATE \"C\" FOR UPDATE";

    /// <summary>
    /// The records with these ids, in id order (as Directus re-reads them), as the open transaction sees them:
    /// what a write of many rows starts from.
    /// </summary>
    public async Task<List<FileRecord>> GetManyAsync(IDbConnection connection, IDbTransaction tx, IReadOnlyCollection<string> ids, CancellationToken ct = default)
    {
        var rows = new List<FileRecord>();
        var select = database.IsPostgres ? SelectByIdsForUpdate : SelectByIds;
        // SQLite caps bound parameters per statement; chunk big key lists. Chunks go in id order, so locks do too.
        foreach (var chunk in ids.Distinct().Order(StringComparer.Ordinal).Chunk(500))
            rows.AddRange(await connection.QueryAsync<FileRecord>(new CommandDefinition(select, new { ids = chunk }, tx, cancellationToken: ct)));
        return rows.OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
    }

    private const string Insert = $"INSERT INTO files ({Columns}) VALUES ({Values})";

    /// <summary>
    /// Inserts the row; the names other dialects use are filled in when the caller left them empty, so every row
    /// has them whoever wrote it. The integer id comes from the counter in this transaction.
    /// </summary>
    public async Task InsertAsync(IDbConnection connection, IDbTransaction tx, FileRecord record, CancellationToken ct = default)
    {
        if (record.NumericId == 0) record.NumericId = await NextNumericIdAsync(connection, tx, ct);
        if (record.DocumentId.Length == 0) record.DocumentId = PublicNames.NewDocumentId();
        if (record.PrivateHash.Length == 0) record.PrivateHash = PublicNames.NewPrivateHash();
        if (record.UploadHash.Length == 0)
        {
            record.UploadHash = PublicNames.NewHash(record.FilenameDownload);
            record.UploadExt = PublicNames.Extension(record.FilenameDownload, record.Type);
        }
        if (record.UploadFilename.Length == 0) record.UploadFilename = record.FilenameDownload;
        await connection.ExecuteAsync(new CommandDefinition(Insert, record, tx, cancellationToken: ct));
    }

    private const string UpdateAll =
        "UPDATE files SET storage = @Storage, filename_disk = @FilenameDisk, filename_download = @FilenameDownload, title = @Title, " +
        "type = @Type, folder = @Folder, uploaded_by = @UploadedBy, created_on = @CreatedOn, modified_by = @ModifiedBy, " +
        "modified_on = @ModifiedOn, charset = @Charset, filesize = @Filesize, width = @Width, height = @Height, duration = @Duration, " +
        "embed = @Embed, description = @Description, location = @Location, tags = @Tags, metadata = @Metadata, " +
        "focal_point_x = @FocalPointX, focal_point_y = @FocalPointY, uploaded_on = @UploadedOn, checksum = @Checksum, " +
        "upload_hash = @UploadHash, upload_ext = @UploadExt, alternative_text = @AlternativeText, private_hash = @PrivateHash, " +
        "upload_filename = @UploadFilename WHERE id = @Id";

    public Task<int> UpdateAsync(IDbConnection connection, IDbTransaction tx, FileRecord record, CancellationToken ct = default)
    {
        return connection.ExecuteAsync(new CommandDefinition(UpdateAll, record, tx, cancellationToken: ct));
    }

    private const string UpdateMetadata = "UPDATE files SET metadata = @metadata WHERE id = @id";

    /// <summary>
    /// Issue 17: adds <c>metadata.placeholder</c> computed in the background from the bytes named
    /// <paramref name="filenameDisk"/> with <paramref name="checksum"/>. Written only while the row still holds those
    /// bytes (a replace or delete in between: false, nothing written) and has no placeholder yet (one set meanwhile, by
    /// a user or a replace with an embedded thumbnail, stays); other metadata keys, edited meanwhile or not, are kept.
    /// The commit moves the data version (every cache sees it) but is not a change of the user's: no revision, no
    /// activity, <c>modified_on</c> unchanged.
    /// </summary>
    public Task<bool> AddPlaceholderAsync(string id, string filenameDisk, string? checksum, System.Text.Json.Nodes.JsonObject placeholder, CancellationToken ct = default) =>
        InTransactionAsync(async (connection, tx) =>
        {
            var row = await GetInTransactionAsync(connection, tx, id, ct);
            if (row is null || row.FilenameDisk != filenameDisk || row.Checksum != checksum) return false;
            var metadata = row.Metadata is { } text ? System.Text.Json.Nodes.JsonNode.Parse(text) as System.Text.Json.Nodes.JsonObject : [];
            // Metadata a user set to something that is not an object is theirs: no key can be merged into it.
            if (metadata is null || metadata.ContainsKey("placeholder")) return false;
            metadata["placeholder"] = placeholder.DeepClone();
            await connection.ExecuteAsync(new CommandDefinition(UpdateMetadata, new { id, metadata = metadata.ToJsonString() }, tx, cancellationToken: ct));
            return true;
        }, ct);

    private const string DeleteById = "DELETE FROM files WHERE id = @id; DELETE FROM file_links WHERE file_id = @id";

    public Task<int> DeleteAsync(IDbConnection connection, IDbTransaction tx, string id, CancellationToken ct = default)
    {
        return connection.ExecuteAsync(new CommandDefinition(DeleteById, new { id }, tx, cancellationToken: ct));
    }

    private const string NextNumber = "UPDATE counters SET value = value + 1 WHERE name = 'files' RETURNING value";

    /// <summary>The next <see cref="FileRecord.NumericId"/>: a counter in the same transaction as the insert, so never reused.</summary>
    public Task<long> NextNumericIdAsync(IDbConnection connection, IDbTransaction tx, CancellationToken ct = default) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition(NextNumber, transaction: tx, cancellationToken: ct));

    /// <summary>The file with Strapi's integer id, read as <see cref="GetAsync(string, CancellationToken)"/> reads it.</summary>
    public Task<FileRecord?> GetByNumericIdAsync(long number, CancellationToken ct = default) =>
        GetByAsync("SELECT id FROM files WHERE numeric_id = @value", number, ct);

    /// <summary>The file whose v8 <c>private_hash</c> this is.</summary>
    public Task<FileRecord?> GetByPrivateHashAsync(string hash, CancellationToken ct = default) =>
        GetByAsync("SELECT id FROM files WHERE private_hash = @value", hash, ct);

    /// <summary>The file whose public <c>/uploads</c> name has this hash.</summary>
    public Task<FileRecord?> GetByUploadHashAsync(string hash, CancellationToken ct = default) =>
        GetByAsync("SELECT id FROM files WHERE upload_hash = @value", hash, ct);

    /// <summary>
    /// The file a unique column names: its id is looked up, then the row is read through the row cache with the
    /// <see cref="DataVersion"/> taken before the look-up, so the answer is never older than a write acknowledged first.
    /// </summary>
    private async Task<FileRecord?> GetByAsync(string selectId, object value, CancellationToken ct)
    {
        var version = await dataVersion.ReadAsync(ct);
        var id = await database.ReadAsync(connection =>
            connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(selectId, new { value }, cancellationToken: ct)), ct);
        return id is null ? null : await GetAsync(id, version, ct);
    }

    /// <summary>What writing a file into an archive needs of its row: its name, type, size and where its bytes are.</summary>
    private const string ArchiveColumns = "id, storage, filename_disk, filename_download, type, folder, filesize, checksum, modified_on";

    private const string SelectInFolders = $"SELECT {ArchiveColumns} FROM files WHERE folder IN @folders";
    private const string SelectInFoldersPostgres = $"SELECT {ArchiveColumns} FROM files WHERE folder = ANY(@folders)";

    /// <summary>
    /// The files filed in any of <paramref name="folders"/>, with the columns an archive needs (through the
    /// <c>files_folder</c> index), in no particular order. Folder lists are chunked under SQLite's parameter cap.
    /// </summary>
    public Task<List<FileRecord>> InFoldersAsync(IReadOnlyCollection<string> folders, CancellationToken ct = default) =>
        database.ReadAsync(async connection =>
        {
            var rows = new List<FileRecord>();
            var sql = database.IsPostgres ? SelectInFoldersPostgres : SelectInFolders;
            foreach (var chunk in folders.Distinct().Chunk(500))
                rows.AddRange(await connection.QueryAsync<FileRecord>(new CommandDefinition(sql, new { folders = chunk }, cancellationToken: ct)));
            return rows;
        }, ct);

    private const string InsertLink =
        "INSERT INTO file_links (file_id, position, ref, ref_id, field, source) " +
        "VALUES (@FileId, (SELECT COUNT(*) FROM file_links WHERE file_id = @FileId), @Ref, @RefId, @Field, @Source)";

    public Task AddLinkAsync(IDbConnection connection, IDbTransaction tx, string fileId, FileLink link, CancellationToken ct = default) =>
        connection.ExecuteAsync(new CommandDefinition(InsertLink,
            new { FileId = fileId, link.Ref, link.RefId, link.Field, link.Source }, tx, cancellationToken: ct));

    private const string SelectLinks = "SELECT file_id, ref, ref_id, field, source FROM file_links WHERE file_id IN @ids ORDER BY file_id, position";

    private const string SelectLinksPostgres =
        "SELECT file_id, ref, ref_id, field, source FROM file_links WHERE file_id = ANY(@ids) ORDER BY file_id COLLATE \"C\", position";

    /// <summary>The links of these files, by file id.</summary>
    public async Task<ILookup<string, FileLink>> LinksAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default)
    {
        return await database.ReadAsync(async connection =>
        {
            var links = new List<(string FileId, FileLink Link)>();
            foreach (var chunk in ids.Distinct().Chunk(500))
            {
                var rows = await connection.QueryAsync<(string FileId, string Ref, string RefId, string? Field, string? Source)>(
                    new CommandDefinition(database.IsPostgres ? SelectLinksPostgres : SelectLinks, new { ids = chunk }, cancellationToken: ct));
                links.AddRange(rows.Select(r => (r.FileId, new FileLink(r.Ref, r.RefId, r.Field, r.Source))));
            }
            return links.ToLookup(l => l.FileId, l => l.Link);
        }, ct);
    }

    private const string InsertVersion = "INSERT INTO file_versions (file_id, filename_disk, kept_on) VALUES (@fileId, @name, @now)";

    /// <summary>Keeps a replaced original under its disk name (<c>Files:KeepVersions</c>).</summary>
    public Task AddVersionAsync(IDbConnection connection, IDbTransaction tx, string fileId, string name, string now, CancellationToken ct = default) =>
        connection.ExecuteAsync(new CommandDefinition(InsertVersion, new { fileId, name, now }, tx, cancellationToken: ct));

    private const string SelectVersionNames = "SELECT filename_disk FROM file_versions WHERE file_id = @fileId ORDER BY id DESC";

    /// <summary>The kept originals of a file, newest first.</summary>
    public async Task<List<string>> VersionsAsync(IDbConnection connection, IDbTransaction tx, string fileId, CancellationToken ct = default) =>
        (await connection.QueryAsync<string>(new CommandDefinition(SelectVersionNames, new { fileId }, tx, cancellationToken: ct))).ToList();

    private const string DeleteVersion = "DELETE FROM file_versions WHERE file_id = @fileId AND filename_disk = @name";

    /// <summary>Forgets one kept original (pruned, restored or deleted); the caller removes its file after commit.</summary>
    public Task<int> RemoveVersionAsync(IDbConnection connection, IDbTransaction tx, string fileId, string name, CancellationToken ct = default) =>
        connection.ExecuteAsync(new CommandDefinition(DeleteVersion, new { fileId, name }, tx, cancellationToken: ct));

    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction (<see cref="Database.WriteAsync"/>): committed when
    /// it returns (which moves the <see cref="DataVersion"/> on), rolled back when it throws; a
    /// <see cref="CommitOutcomeUnknownException"/> when the connection dropped during the commit.
    /// </summary>
    public Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default) =>
        database.WriteAsync(work, ct);

    private const string SelectFilenames = "SELECT filename_disk FROM files UNION ALL SELECT filename_disk FROM file_versions";

    /// <summary>Every stored disk name (originals and kept versions), for the start-up sweep of orphaned originals.</summary>
    public async Task<HashSet<string>> AllFilenamesOnDiskAsync(CancellationToken ct = default)
    {
        var names = await database.ReadAsync(connection =>
            connection.QueryAsync<string>(new CommandDefinition(SelectFilenames, cancellationToken: ct)), ct);
        return names.ToHashSet(StringComparer.Ordinal);
    }

    private const string SelectContentKeys = "SELECT id, checksum, filesize, modified_on, filename_disk FROM files";

    /// <summary>Every file with just what names its content (<c>AssetStore.ContentDigest</c>): for the start-up sweep.</summary>
    public async Task<List<FileRecord>> AllContentKeysAsync(CancellationToken ct = default)
    {
        return (await database.ReadAsync(connection =>
            connection.QueryAsync<FileRecord>(new CommandDefinition(SelectContentKeys, cancellationToken: ct)), ct)).ToList();
    }

    /// <summary>
    /// One page of a list query, read one row at a time (Dapper unbuffered): the caller writes each row out before the
    /// next is read, so a page of large rows is never held whole (issue 9). Each row is charged to
    /// <paramref name="budget"/> as it is read (issue 17), by the columns the statement read
    /// (<see cref="FileQuery.ReadFields"/>); without one, the list gets its own of <c>Files:MaxResponseBytes</c>. The
    /// statement is one-off text, kept out of Dapper's plan cache.
    /// </summary>
    public async IAsyncEnumerable<FileRecord> ListAsync(FileQuery query, [EnumeratorCancellation] CancellationToken ct = default, ReadBudget? budget = null)
    {
        budget ??= ReadBudget.ForList(options.Value);
        budget.EnsureLeft();
        var hits = await SearchHitsAsync(query, ct);
        if (FileQuerySql.BuildWalk(query, database.Provider) is { } walk)
        {
            // A page of at most 100 rows, held until it is known to be full (see BuildWalk).
            var walked = await database.ReadAsync(connection => connection.QueryAsync<FileRecord>(
                new CommandDefinition(walk.Select, walk.Parameters, flags: CommandFlags.NoCache | CommandFlags.Buffered, cancellationToken: ct)), ct);
            var page = walked.AsList();
            if (page.Count == query.Limit)
            {
                foreach (var row in page)
                {
                    budget.Charge(row.StoredBytes());
                    yield return row;
                }
                yield break;
            }
            hits = SearchHits.ReadFirst;
        }
        var sql = FileQuerySql.Build(query, database.Provider, indexes.SearchTableReady, options.Value.ShortSearchRows, hits);
        var command = new CommandDefinition(sql.Select, sql.Parameters, flags: CommandFlags.NoCache, cancellationToken: ct);
        await using var reader = await database.OpenReaderAsync(command, ct);
        var parse = reader.GetRowParser<FileRecord>();
        while (await reader.ReadAsync(ct))
        {
            var row = parse(reader);
            budget.Charge(row.StoredBytes());
            yield return row;
        }
    }

    /// <summary>
    /// Issue 21: the search's hits counted up to a bound through its trigram index (<see cref="SearchHits"/>), or null
    /// when it has none to ask; the statement's shape is chosen from them.
    /// </summary>
    /// <remarks>
    /// Probed once per request: kept in the query (<see cref="FileQuery.Probed"/>) for its counts and its list, while
    /// nothing is committed (the data version, about a microsecond to read on SQLite, the only database probed).
    /// </remarks>
    private async Task<SearchHits?> SearchHitsAsync(FileQuery query, CancellationToken ct)
    {
        if (FileQuerySql.BuildSearchProbe(query, database.Provider, indexes.SearchTableReady) is not { } probe) return null;
        var version = await dataVersion.ReadAsync(ct);
        if (query.Probed.Find(query, version) is { } known) return known;
        var (count, ids) = await database.ReadAsync(connection => connection.QuerySingleAsync<(long, string)>(
            new CommandDefinition(probe.Sql, probe.Parameters, flags: CommandFlags.NoCache, cancellationToken: ct)), ct);
        Interlocked.Increment(ref searchProbes);
        var hits = SearchHits.Probed(count, ids);
        query.Probed.Keep(query, version, hits);
        return hits;
    }

    private long searchProbes;

    /// <summary>Search probes run since start (issue 21: one per request, however many of its statements use it).</summary>
    public long SearchProbes => Interlocked.Read(ref searchProbes);

    /// <summary>Issue 21: a table's rows as counted by its triggers (010_query_indexes.sql), one row read however many files.</summary>
    private const string SelectRowCount = "SELECT row_count FROM row_counts WHERE table_name = @table";

    /// <summary>The counts <c>meta</c> asked for (null where not asked).</summary>
    public async Task<FileListCounts> CountAsync(FileQuery query, CancellationToken ct = default)
    {
        if (query.Meta.Count == 0) return new FileListCounts(null, null);
        var hits = query.Meta.Contains("filter_count") ? await SearchHitsAsync(query, ct) : null;
        var sql = FileQuerySql.Build(query, database.Provider, indexes.SearchTableReady, options.Value.ShortSearchRows, hits);
        return await database.ReadAsync(async connection =>
        {
            long? total = null, filtered = null;
            if (query.Meta.Contains("total_count"))
                total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(query.Table.CountedRows
                    ? SelectRowCount
                    : $"SELECT COUNT(*) FROM {query.Table.Name}", new { table = query.Table.Name }, cancellationToken: ct));
            if (query.Meta.Contains("filter_count"))
                filtered = await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql.Count, sql.Parameters, flags: CommandFlags.NoCache, cancellationToken: ct));
            return new FileListCounts(total, filtered);
        }, ct);
    }

    /// <summary>
    /// The results of an aggregate query (<see cref="FileQuery.Aggregates"/>), one per group, in the query's order; each
    /// group is charged to <paramref name="budget"/> (without one, the query's own of <c>Files:MaxResponseBytes</c>),
    /// since grouping by a JSON column can make as many large values as a list.
    /// </summary>
    public async Task<List<FileAggregateRow>> AggregateAsync(FileQuery query, CancellationToken ct = default, ReadBudget? budget = null)
    {
        budget ??= ReadBudget.ForList(options.Value);
        return await FileAggregateRow.QueryAsync(database, query, budget, ct);
    }

    /// <summary>The ids a filter selects (for <c>PATCH /files</c> with a query).</summary>
    public async Task<List<string>> ListIdsAsync(FileQuery query, CancellationToken ct = default)
    {
        var sql = FileQuerySql.Build(query with { ReadFields = ["id"] }, database.Provider, indexes.SearchTableReady);
        return (await database.ReadAsync(connection =>
                connection.QueryAsync<FileRecord>(new CommandDefinition(sql.Select, sql.Parameters, cancellationToken: ct)), ct))
            .Select(r => r.Id).ToList();
    }

    /// <summary>
    /// The rows of a query over any queryable table (the activity and revisions logs, <c>Revisions.LogTables</c>) as
    /// column name → value, read one at a time: for dialects that show log entries in their own shape. Charged to a
    /// budget of <c>Files:MaxResponseBytes</c> as <see cref="ListAsync"/> is.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyDictionary<string, object?>> ListRowsAsync(FileQuery query, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var budget = ReadBudget.ForList(options.Value);
        var sql = FileQuerySql.Build(query, database.Provider, indexes.SearchTableReady);
        var command = new CommandDefinition(sql.Select, sql.Parameters, flags: CommandFlags.NoCache, cancellationToken: ct);
        await using var reader = await database.OpenReaderAsync(command, ct);
        while (await reader.ReadAsync(ct))
        {
            var row = new Dictionary<string, object?>(reader.FieldCount, StringComparer.Ordinal);
            long bytes = 0;
            for (var i = 0; i < reader.FieldCount; i++)
            {
                var value = reader.IsDBNull(i) ? null : reader.GetValue(i);
                row[reader.GetName(i)] = value;
                bytes += ReadBudget.Size(value);
            }
            budget.Charge(bytes);
            yield return row;
        }
    }
}

public sealed record FileListCounts(long? TotalCount, long? FilterCount)
{
    /// <summary>Directus's <c>meta</c> object, or null when none was asked for.</summary>
    public System.Text.Json.Nodes.JsonObject? ToMeta()
    {
        if (TotalCount is null && FilterCount is null) return null;
        var meta = new System.Text.Json.Nodes.JsonObject();
        if (TotalCount is { } total) meta["total_count"] = total;
        if (FilterCount is { } filtered) meta["filter_count"] = filtered;
        return meta;
    }
}

/// <summary>
/// An entry a file was uploaded for (Strapi's <c>ref</c>, <c>refId</c>, <c>field</c>, <c>source</c>): which content
/// type, which entry, which of its fields.
/// </summary>
public sealed record FileLink(string Ref, string RefId, string? Field, string? Source);
