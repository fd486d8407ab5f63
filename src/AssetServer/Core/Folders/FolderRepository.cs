using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using AssetServer.Data;
using AssetServer.Files;
using AssetServer.Files.Query;
using Dapper;
using Microsoft.Extensions.Options;

namespace AssetServer.Folders;

/// <summary>
/// Owns every SQL statement on <c>folders</c>, and the one on <c>files</c> a folder's delete makes. Values are Dapper
/// parameters; list queries are built by <see cref="FileQuerySql"/> over <see cref="FolderTable"/>.
/// </summary>
public sealed class FolderRepository(Database database, IOptions<FilesOptions> options)
{
    public bool IsPostgres => database.IsPostgres;

    /// <summary>
    /// One page of a list query, read a row at a time and charged to <paramref name="budget"/> (without one, a budget of
    /// <c>Files:MaxResponseBytes</c>).
    /// </summary>
    public async IAsyncEnumerable<FolderRecord> ListAsync(FileQuery query, [EnumeratorCancellation] CancellationToken ct = default, ReadBudget? budget = null)
    {
        budget ??= ReadBudget.ForList(options.Value);
        budget.EnsureLeft();
        var sql = FileQuerySql.Build(query with { ReadFields = null }, database.Provider);
        var command = new CommandDefinition(sql.Select, sql.Parameters, flags: CommandFlags.NoCache, cancellationToken: ct);
        await using var reader = await database.OpenReaderAsync(command, ct);
        var parse = reader.GetRowParser<FolderRecord>();
        while (await reader.ReadAsync(ct))
        {
            var row = parse(reader);
            budget.Charge(ReadBudget.Size(row.Id) + ReadBudget.Size(row.Name) + ReadBudget.Size(row.Parent));
            yield return row;
        }
    }

    /// <summary>The counts <c>meta</c> asked for.</summary>
    public async Task<FileListCounts> CountAsync(FileQuery query, CancellationToken ct = default)
    {
        if (query.Meta.Count == 0) return new FileListCounts(null, null);
        var sql = FileQuerySql.Build(query, database.Provider);
        return await database.ReadAsync(async connection =>
        {
            long? total = null, filtered = null;
            if (query.Meta.Contains("total_count"))
                total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(SelectCount, cancellationToken: ct));
            if (query.Meta.Contains("filter_count"))
                filtered = await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql.Count, sql.Parameters, flags: CommandFlags.NoCache, cancellationToken: ct));
            return new FileListCounts(total, filtered);
        }, ct);
    }

    private const string SelectCount = "SELECT COUNT(*) FROM folders";

    /// <summary>The groups of an aggregate query (<see cref="FileQuery.Aggregates"/>), each charged to <paramref name="budget"/>.</summary>
    public async Task<List<FileAggregateRow>> AggregateAsync(FileQuery query, ReadBudget budget, CancellationToken ct = default)
    {
        return await FileAggregateRow.QueryAsync(database, query, budget, ct);
    }

    /// <summary>The ids a query selects (a PATCH by query).</summary>
    public async Task<List<string>> ListIdsAsync(FileQuery query, CancellationToken ct = default)
    {
        var sql = FileQuerySql.Build(query with { ReadFields = ["id"] }, database.Provider);
        return await database.ReadAsync(async connection =>
            (await connection.QueryAsync<string>(new CommandDefinition(sql.Select, sql.Parameters, flags: CommandFlags.Buffered | CommandFlags.NoCache, cancellationToken: ct))).ToList(), ct);
    }

    private const string SelectById = "SELECT id, name, parent FROM folders WHERE id = @id";

    public async Task<FolderRecord?> GetAsync(string id, CancellationToken ct = default)
    {
        return await database.ReadAsync(connection =>
            connection.QuerySingleOrDefaultAsync<FolderRecord>(new CommandDefinition(SelectById, new { id }, cancellationToken: ct)), ct);
    }

    private const string SelectByIds = "SELECT id, name, parent FROM folders WHERE id IN @ids";
    private const string SelectByIdsPostgres = "SELECT id, name, parent FROM folders WHERE id = ANY(@ids)";

    /// <summary>The folders with these ids, by id (those that exist): what <c>fields=folder.name</c> expands to.</summary>
    public async Task<Dictionary<string, FolderRecord>> GetManyAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default)
    {
        if (ids.Count == 0) return [];
        var sql = database.IsPostgres ? SelectByIdsPostgres : SelectByIds;
        var rows = await database.ReadAsync(connection =>
            connection.QueryAsync<FolderRecord>(new CommandDefinition(sql, new { ids = ids.ToArray() }, cancellationToken: ct)), ct);
        return rows.ToDictionary(r => r.Id, StringComparer.Ordinal);
    }

    /// <summary>
    /// A folder and every folder below it (the root first), walked down through the <c>parent</c> index. <c>UNION</c>
    /// rather than <c>UNION ALL</c>, so even a damaged tree with a loop ends.
    /// </summary>
    private const string SelectSubtree =
        "WITH RECURSIVE down(id, name, parent) AS (SELECT id, name, parent FROM folders WHERE id = @root " +
        "UNION SELECT f.id, f.name, f.parent FROM folders f JOIN down ON f.parent = down.id) " +
        "SELECT id, name, parent FROM down";

    /// <summary>The folder <paramref name="root"/> and all its sub-folders; empty when it does not exist.</summary>
    public async Task<List<FolderRecord>> SubtreeAsync(string root, CancellationToken ct = default)
    {
        return (await database.ReadAsync(connection =>
            connection.QueryAsync<FolderRecord>(new CommandDefinition(SelectSubtree, new { root }, cancellationToken: ct)), ct)).ToList();
    }

    /// <summary>
    /// The folder, read inside a write: on PostgreSQL locked <c>FOR UPDATE</c> so two writers of one folder queue.
    /// </summary>
    public Task<FolderRecord?> GetInTransactionAsync(IDbConnection connection, IDbTransaction tx, string id, CancellationToken ct = default) =>
        connection.QuerySingleOrDefaultAsync<FolderRecord>(new CommandDefinition(
            database.IsPostgres ? SelectById + " FOR UPDATE" : SelectById, new { id }, tx, cancellationToken: ct));

    private const string SelectExists = "SELECT id FROM folders WHERE id = @id";

    /// <summary>
    /// Whether the folder exists, for a file or folder about to point at it. On PostgreSQL the row is held
    /// <c>FOR KEY SHARE</c> until the caller commits, so a concurrent delete waits and then finds the new reference to
    /// clear (a foreign key would take the same lock); SQLite's writers are serial already.
    /// </summary>
    public async Task<bool> ExistsAsync(IDbConnection connection, IDbTransaction tx, string id, CancellationToken ct = default) =>
        await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            database.IsPostgres ? SelectExists + " FOR KEY SHARE" : SelectExists, new { id }, tx, cancellationToken: ct)) is not null;

    private const string Insert = "INSERT INTO folders (id, name, parent) VALUES (@Id, @Name, @Parent)";

    public Task InsertAsync(IDbConnection connection, IDbTransaction tx, FolderRecord folder, CancellationToken ct = default) =>
        connection.ExecuteAsync(new CommandDefinition(Insert, folder, tx, cancellationToken: ct));

    private const string Update = "UPDATE folders SET name = @Name, parent = @Parent WHERE id = @Id";

    public Task UpdateAsync(IDbConnection connection, IDbTransaction tx, FolderRecord folder, CancellationToken ct = default) =>
        connection.ExecuteAsync(new CommandDefinition(Update, folder, tx, cancellationToken: ct));

    private const string Delete = "DELETE FROM folders WHERE id = @id";

    public Task DeleteAsync(IDbConnection connection, IDbTransaction tx, string id, CancellationToken ct = default) =>
        connection.ExecuteAsync(new CommandDefinition(Delete, new { id }, tx, cancellationToken: ct));

    private const string MoveChildren = "UPDATE folders SET parent = @to WHERE parent = @from";

    /// <summary>Hangs the children of <paramref name="from"/> under <paramref name="to"/> (null: the top).</summary>
    public Task<int> MoveChildrenAsync(IDbConnection connection, IDbTransaction tx, string from, string? to, CancellationToken ct = default) =>
        connection.ExecuteAsync(new CommandDefinition(MoveChildren, new { from, to }, tx, cancellationToken: ct));

    private const string ClearFiles = "UPDATE files SET folder = NULL WHERE folder = @folder";

    /// <summary>Takes the files out of a folder (Directus's ON DELETE SET NULL); through the <c>files_folder</c> index.</summary>
    public Task<int> ClearFilesAsync(IDbConnection connection, IDbTransaction tx, string folder, CancellationToken ct = default) =>
        connection.ExecuteAsync(new CommandDefinition(ClearFiles, new { folder }, tx, cancellationToken: ct));

    /// <summary>
    /// Whether <paramref name="ancestor"/> is <paramref name="start"/> or above it: walks up by the primary key
    /// (<c>UNION</c>, not <c>UNION ALL</c>, so even a damaged tree with a loop ends).
    /// </summary>
    private const string SelectIsAncestor =
        "WITH RECURSIVE up(id, parent) AS (SELECT id, parent FROM folders WHERE id = @start " +
        "UNION SELECT f.id, f.parent FROM folders f JOIN up ON f.id = up.parent) " +
        "SELECT COUNT(*) FROM up WHERE id = @ancestor";

    public async Task<bool> IsAncestorAsync(IDbConnection connection, IDbTransaction tx, string ancestor, string start, CancellationToken ct = default) =>
        await connection.ExecuteScalarAsync<long>(new CommandDefinition(SelectIsAncestor, new { ancestor, start }, tx, cancellationToken: ct)) > 0;

    /// <summary>Any number taken by every node alike: the PostgreSQL advisory lock that serialises moves in the tree.</summary>
    private const long TreeLock = 0x466f_6c64_6572_7321; // "Folders!"

    /// <summary>
    /// PostgreSQL: one tree write at a time (until commit), so two moves that are each fine alone (A into B, B into A)
    /// cannot together make a cycle. SQLite's write transactions are serial already.
    /// </summary>
    public async Task LockTreeAsync(IDbConnection connection, IDbTransaction tx, CancellationToken ct = default)
    {
        if (database.IsPostgres)
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = TreeLock }, tx, cancellationToken: ct));
    }

    /// <summary>Runs <paramref name="work"/> in one write transaction: committed when it returns, rolled back when it throws.</summary>
    public async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var tx = await database.BeginWriteAsync(connection, ct);
        var result = await work(connection, tx);
        await tx.CommitAsync(ct);
        return result;
    }
}
