using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Options;

namespace AssetServer.Data.IndexBuilds;

/// <summary>
/// Issue 21: builds the query indexes (<see cref="IndexBuildSteps"/>) on a library that already has rows, after
/// start-up and while the server answers, so an upgrade never holds start-up for minutes. Each step is recorded in
/// <c>index_builds</c> when it ends, and SQLite's search table is filled in batches of <c>numeric_id</c> whose progress
/// is committed with each batch: a build stopped anywhere (the process killed, the builder cancelled) resumes where it
/// stopped. A new or small library (at most <see cref="DatabaseOptions.IndexBuildInlineRows"/>) is built at start-up.
/// </summary>
/// <remarks>
/// PostgreSQL: <c>CREATE INDEX CONCURRENTLY</c>, so writes go on; an INVALID index (a build interrupted) is dropped and
/// built again. Nodes share the database: a session advisory lock lets one build at a time; the others ask for it
/// until it is free (a node that dies mid-build frees it with its session), then find each step recorded. Until an index exists the planner scans, as before; SQLite's queries ask the search
/// table only once it is full (<see cref="SearchTableReady"/>), so an answer is never partial.
/// </remarks>
public sealed class IndexBuilder(Database database, IOptions<DatabaseOptions> options, ILogger<IndexBuilder> logger)
{
    /// <summary>Any number taken by every node alike ("AsIndex"), apart from the migration lock.</summary>
    private const long BuildLock = 0x4173_496E_6465_7800;

    private volatile bool searchTableReady;
    private volatile bool complete;

    private IReadOnlyList<IndexBuildStep> Steps => database.IsPostgres ? IndexBuildSteps.Postgres : IndexBuildSteps.Sqlite;

    /// <summary>Whether queries may ask SQLite's trigram table: it holds every row. (PostgreSQL's planner decides alone.)</summary>
    public bool SearchTableReady => searchTableReady || database.IsPostgres;

    /// <summary>Whether every step is recorded done.</summary>
    public bool Complete => complete;

    /// <summary>For tests: runs after each committed batch or step, with the step's name, before the next one starts.</summary>
    internal Func<string, CancellationToken, Task>? AfterEachUnit { get; init; }

    /// <summary>
    /// At start-up, after the migration: reads what is built; builds everything now on a library of at most
    /// <see cref="DatabaseOptions.IndexBuildInlineRows"/> rows (a new one), otherwise leaves it to <see cref="BuildAsync"/>.
    /// </summary>
    public async Task PrepareAsync(CancellationToken ct = default)
    {
        await RefreshAsync(ct);
        if (complete) return;
        var rows = await database.ReadAsync(c => c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT row_count FROM row_counts WHERE table_name = 'files'", cancellationToken: ct)), ct);
        if (rows <= options.Value.IndexBuildInlineRows) await BuildAsync(concurrently: false, ct);
        else logger.LogInformation("{Rows} files: the query indexes are built in the background; searches scan until then.", rows);
    }

    /// <summary>Builds every step not yet recorded, one node at a time; returns when all are.</summary>
    public Task BuildAsync(CancellationToken ct = default) => BuildAsync(concurrently: true, ct);

    private async Task BuildAsync(bool concurrently, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        if (database.IsPostgres) await LockAsync(connection, ct);
        try
        {
            var done = await DoneAsync(connection, ct);
            foreach (var step in Steps.Where(s => !done.Contains(s.Name)))
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                await RunAsync(connection, step, concurrently, ct);
                logger.LogInformation("Index build: {Step} done in {Seconds:F1} s.", step.Name, clock.Elapsed.TotalSeconds);
                if (step.Name == IndexBuildSteps.SearchTable) searchTableReady = true;
                if (AfterEachUnit is { } after) await after(step.Name, ct);
            }
            await RefreshAsync(ct);
        }
        finally
        {
            // Closing the session would release it too, but a pooled connection lives on.
            if (database.IsPostgres && connection.State == System.Data.ConnectionState.Open)
                await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@key)", new { key = BuildLock }));
        }
    }

    /// <summary>
    /// Takes the build lock, asking again every <see cref="LockPollInterval"/>: a node blocked in
    /// <c>pg_advisory_lock</c> would hold a snapshot that the builder's <c>CREATE INDEX CONCURRENTLY</c> waits for, a
    /// deadlock. Between tries no statement is open.
    /// </summary>
    private async Task LockAsync(DbConnection connection, CancellationToken ct)
    {
        while (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock(@key)", new { key = BuildLock }, cancellationToken: ct)))
        {
            WaitingForAnotherNode = true;
            await Task.Delay(LockPollInterval, ct);
        }
        WaitingForAnotherNode = false;
    }

    /// <summary>Whether this node waits while another builds (PostgreSQL).</summary>
    public bool WaitingForAnotherNode { get; private set; }

    internal TimeSpan LockPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    private async Task RefreshAsync(CancellationToken ct)
    {
        var done = await database.ReadAsync(c => DoneAsync(c, ct), ct);
        searchTableReady = done.Contains(IndexBuildSteps.SearchTable);
        complete = Steps.All(s => done.Contains(s.Name));
    }

    private static async Task<HashSet<string>> DoneAsync(DbConnection connection, CancellationToken ct) =>
        (await connection.QueryAsync<string>(new CommandDefinition("SELECT name FROM index_builds WHERE done_on IS NOT NULL", cancellationToken: ct)))
        .ToHashSet(StringComparer.Ordinal);

    private const string MarkDone =
        "INSERT INTO index_builds (name, progress, done_on) VALUES (@name, 0, @now) ON CONFLICT (name) DO UPDATE SET done_on = excluded.done_on";

    private async Task RunAsync(DbConnection connection, IndexBuildStep step, bool concurrently, CancellationToken ct)
    {
        if (step is FillSearchTable fill)
        {
            await FillAsync(fill, ct);
            return;
        }
        if (database.IsPostgres)
        {
            // CONCURRENTLY runs outside a transaction: the step is recorded after it, and redone (IF NOT EXISTS) if not.
            foreach (var sql in PostgresStatements(step, concurrently, await InvalidAsync(connection, step, ct)))
                await connection.ExecuteAsync(new CommandDefinition(sql, commandTimeout: 0, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(MarkDone, new { name = step.Name, now = Now() }, cancellationToken: ct));
            return;
        }
        // SQLite builds an index in one write transaction, recorded in it; readers go on (WAL), writers queue behind it.
        await database.WriteAsync(async (c, tx) =>
        {
            var sql = step switch
            {
                CreateIndex index => $"CREATE INDEX IF NOT EXISTS {index.Name} ON {index.Definition}",
                DropIndexes drop => string.Join("; ", drop.Indexes.Select(i => $"DROP INDEX IF EXISTS {i}")),
                _ => throw new InvalidOperationException($"No SQLite statement for {step}."),
            };
            await c.ExecuteAsync(new CommandDefinition(sql, transaction: tx, commandTimeout: 0, cancellationToken: ct));
            return await c.ExecuteAsync(new CommandDefinition(MarkDone, new { name = step.Name, now = Now() }, tx, cancellationToken: ct));
        }, ct);
    }

    /// <summary>Whether the index of <paramref name="step"/> exists but is INVALID: a concurrent build that was interrupted.</summary>
    private static async Task<bool> InvalidAsync(DbConnection connection, IndexBuildStep step, CancellationToken ct) =>
        step is CreateIndex && await connection.ExecuteScalarAsync<bool?>(new CommandDefinition(
            "SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(@name)", new { name = step.Name }, cancellationToken: ct)) == true;

    private static IEnumerable<string> PostgresStatements(IndexBuildStep step, bool concurrently, bool invalid)
    {
        var how = concurrently ? " CONCURRENTLY" : "";
        switch (step)
        {
            case CreateIndex index:
                // IF NOT EXISTS would keep an invalid index: it goes first.
                if (invalid) yield return $"DROP INDEX{how} IF EXISTS {index.Name}";
                yield return $"CREATE INDEX{how} IF NOT EXISTS {index.Name} ON {index.Definition}";
                break;
            case DropIndexes drop:
                foreach (var name in drop.Indexes) yield return $"DROP INDEX{how} IF EXISTS {name}";
                break;
            default:
                throw new InvalidOperationException($"No PostgreSQL statement for {step}.");
        }
    }

    /// <summary>
    /// Fills SQLite's trigram table with the rows written before its triggers, <see cref="DatabaseOptions.IndexBuildBatchRows"/>
    /// numbers of <c>numeric_id</c> a write transaction, each committing its progress. A row the triggers added
    /// meanwhile (a new upload, an edit) is already there and skipped, so none is added twice.
    /// </summary>
    private async Task FillAsync(FillSearchTable step, CancellationToken ct)
    {
        var (from, last) = await database.ReadAsync(async c => (
            await c.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT progress FROM index_builds WHERE name = @name", new { name = step.Name }, cancellationToken: ct)) ?? 0,
            await c.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT MAX(numeric_id) FROM files", cancellationToken: ct)) ?? 0), ct);
        var batch = options.Value.IndexBuildBatchRows;
        while (from < last)
        {
            var to = Math.Min(from + batch, last);
            await database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(FillBatch, new { name = step.Name, from, to }, tx, commandTimeout: 0, cancellationToken: ct)), ct);
            from = to;
            if (AfterEachUnit is { } after) await after(step.Name, ct);
        }
        await database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(MarkDone, new { name = step.Name, now = Now() }, tx, cancellationToken: ct)), ct);
    }

    /// <summary>Lowered as the triggers lower (010_query_indexes.sql): .NET's invariant lower(), Data/Database.cs.</summary>
    private const string FillBatch = """
        INSERT INTO files_search (rowid, title, filename_download, description, location, tags, type)
            SELECT numeric_id, lower(title), lower(filename_download), lower(description), lower(location), lower(tags), lower(type)
            FROM files
            WHERE numeric_id > @from AND numeric_id <= @to
              AND numeric_id NOT IN (SELECT rowid FROM files_search WHERE rowid > @from AND rowid <= @to);
        INSERT INTO index_builds (name, progress) VALUES (@name, @to) ON CONFLICT (name) DO UPDATE SET progress = excluded.progress;
        """;

    private static string Now() => DateTimeOffset.UtcNow.ToString("O");
}
