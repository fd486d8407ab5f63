using System.Data;
using System.Data.Common;
using System.Reflection;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AssetServer.Data;

/// <summary>
/// The database: opens connections and write transactions, and brings the schema up to date at start with the
/// numbered scripts of its provider (<c>Data/Migrations</c> for SQLite, <c>Data/Migrations/Postgres</c>), each
/// applied once and recorded in <c>schema_migrations</c>.
/// </summary>
public sealed class Database : IDisposable
{
    private readonly string? sqliteConnectionString;
    private readonly NpgsqlDataSource? postgres;

    /// <summary>SQLite's own ceiling for <c>mmap_size</c> in the e_sqlite3 build (just under 2 GiB).</summary>
    public const long DefaultMapBytes = 2147418112;

    private readonly long mapBytes;

    /// <summary>An embedded SQLite file at <paramref name="path"/>, read through a map of at most <paramref name="mapBytes"/>.</summary>
    public Database(string path, long mapBytes = DefaultMapBytes)
    {
        this.mapBytes = mapBytes;
        Provider = DatabaseProvider.Sqlite;
        sqliteConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            // Microsoft.Data.Sqlite retries a busy database until this command timeout, so writers queue
            // behind each other instead of failing with SQLITE_BUSY (no per-connection PRAGMA needed).
            DefaultTimeout = 30,
        }.ToString();
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    private Database(NpgsqlDataSource dataSource)
    {
        Provider = DatabaseProvider.Postgres;
        postgres = dataSource;
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    /// <summary>A PostgreSQL database shared by every node that is given the same connection string.</summary>
    public static Database Postgres(string connectionString) => new(NpgsqlDataSource.Create(connectionString));

    public DatabaseProvider Provider { get; }

    public bool IsPostgres => Provider == DatabaseProvider.Postgres;

    /// <summary>Directus's name for the client, as its health checks use it (<c>sqlite3:responseTime</c>, <c>pg:…</c>).</summary>
    public string ClientName => IsPostgres ? "pg" : "sqlite3";

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        if (postgres is not null) return await postgres.OpenConnectionAsync(ct);
        var connection = new SqliteConnection(sqliteConnectionString);
        await connection.OpenAsync(ct);
        SetUp(connection);
        return connection;
    }

    public DbConnection Open()
    {
        if (postgres is not null) return postgres.OpenConnection();
        var connection = new SqliteConnection(sqliteConnectionString);
        connection.Open();
        SetUp(connection);
        return connection;
    }

    /// <summary>
    /// Runs a read on a pooled connection. A pooled connection may have died while idle (a failover, a PgBouncer
    /// restart, <c>pg_terminate_backend</c>) and Npgsql only finds out when it is used: such a read runs once more on
    /// a fresh connection, after the pool is cleared so that its other dead connections do not each cost a request.
    /// </summary>
    public Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> read, CancellationToken ct = default) =>
        RetryOnceAsync(async () =>
        {
            await using var connection = await OpenAsync(ct);
            return await read(connection);
        }, ct);

    /// <summary>
    /// As <see cref="ReadAsync{T}"/> for a read the caller streams: the reader owns its connection (closed with it).
    /// Only the start is retried; rows already handed out cannot be taken back.
    /// </summary>
    public Task<DbDataReader> OpenReaderAsync(CommandDefinition command, CancellationToken ct = default) =>
        RetryOnceAsync(async () =>
        {
            var connection = await OpenAsync(ct);
            try
            {
                return await connection.ExecuteReaderAsync(command, CommandBehavior.CloseConnection);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }, ct);

    private async Task<T> RetryOnceAsync<T>(Func<Task<T>> attempt, CancellationToken ct)
    {
        try
        {
            return await attempt();
        }
        catch (Exception e) when (!ct.IsCancellationRequested && DatabaseFaults.IsConnectionLost(e))
        {
            ClearPool();
            return await attempt();
        }
    }

    /// <summary>
    /// Drops every idle pooled connection (busy ones are closed when returned): after one was found dead, the others
    /// opened before the same cut are likely dead too. (A SQLite file has no connection to lose.)
    /// </summary>
    public void ClearPool() => postgres?.Clear();

    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction (<see cref="BeginWriteAsync"/>): committed when it
    /// returns, rolled back when it throws. A write is never run twice (its work may have side effects); a lost
    /// connection clears the pool, and one lost during <c>COMMIT</c> is a <see cref="CommitOutcomeUnknownException"/>.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default)
    {
        try
        {
            await using var connection = await OpenAsync(ct);
            await using var tx = await BeginWriteAsync(connection, ct);
            var result = await work(connection, tx);
            try
            {
                await tx.CommitAsync(ct);
            }
            catch (Exception e) when (DatabaseFaults.IsConnectionLost(e))
            {
                throw new CommitOutcomeUnknownException(e);
            }
            return result;
        }
        catch (Exception e) when (DatabaseFaults.IsConnectionLost(e))
        {
            ClearPool();
            throw;
        }
    }

    /// <summary>
    /// A write transaction. SQLite: <c>BEGIN IMMEDIATE</c> (what Microsoft.Data.Sqlite runs for Serializable) takes
    /// the write lock up front, so two writers never deadlock upgrading a read lock. PostgreSQL: READ COMMITTED,
    /// with every row a write starts from read <c>FOR UPDATE</c> (<see cref="FileRepository"/>), so two nodes
    /// editing one row queue instead of losing an update.
    /// </summary>
    public async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken ct = default) =>
        await connection.BeginTransactionAsync(IsPostgres ? IsolationLevel.ReadCommitted : IsolationLevel.Serializable, ct);

    /// <summary>
    /// Every SQLite connection, as it is opened: lower() and the memory map (<see cref="MapFile"/>). SQLite's own
    /// lower() folds ASCII only; searches and <c>_icontains</c> must match "École" with "école", so lower() is
    /// replaced by .NET's invariant, Unicode-aware one. (PostgreSQL's lower() is Unicode-aware on a UTF-8 database
    /// whose ctype is not C.)
    /// </summary>
    private void SetUp(SqliteConnection connection)
    {
        connection.CreateFunction("lower", (string? text) => text?.ToLowerInvariant(), isDeterministic: true);
        MapFile(connection);
    }

    /// <summary>
    /// Issue 21: SQLite reads the file through a memory map (up to its build's limit, 2 GiB for e_sqlite3) instead of
    /// a <c>pread</c> into a 2 MB cache per connection. A search's thousand rows by id are random pages: 4–5.6 ms
    /// read, 1.2–3.5 ms mapped, at a million files (benchmarks/RESULTS.md). Mapped pages are the kernel's page cache,
    /// shared by every connection and given back under pressure, though counted in the process's resident memory.
    /// Set once per native connection (a pooled one keeps it).
    /// </summary>
    private void MapFile(SqliteConnection connection)
    {
        if (mapBytes <= 0 || connection.Handle is not { } handle || Mapped.TryGetValue(handle, out _)) return;
        SQLitePCL.raw.sqlite3_exec(handle, $"PRAGMA mmap_size = {mapBytes}");
        Mapped.AddOrUpdate(handle, handle);
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> Mapped = new();

    /// <summary>Any number taken by every node alike: the PostgreSQL advisory lock that serialises migration runs.</summary>
    private const long MigrationLock = 0x4173_5365_7276_6572; // "AsServer"

    public Task MigrateAsync(CancellationToken ct = default) => MigrateAsync(null, ct);

    /// <summary>
    /// Applies the scripts before <paramref name="stopBefore"/> only (all when null): for a benchmark that loads a
    /// library as it was before a migration and then times that migration (benchmarks/million).
    /// </summary>
    internal async Task MigrateAsync(string? stopBefore, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        if (IsPostgres)
        {
            // Nodes starting together: the first runs the scripts, the others wait here and then find them applied.
            await using var tx = await connection.BeginTransactionAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = MigrationLock }, tx, cancellationToken: ct));
            await ApplyAsync(connection, tx, stopBefore, ct);
            await tx.CommitAsync(ct);
            return;
        }
        // WAL lets readers go on while one writer commits; it is a property of the file, set once. `synchronous` is a
        // connection's own setting and stays at its default, FULL, everywhere: a commit is on disk before it returns,
        // so a power cut loses nothing acknowledged (NORMAL here only ever applied to this migration connection).
        await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
        await ApplyAsync(connection, null, stopBefore, ct);
    }

    /// <summary>
    /// Applies the scripts not yet recorded, in order. SQLite runs each in its own write transaction
    /// (<c>BEGIN IMMEDIATE</c>) and asks whether it is applied inside it: a second process upgrading the same file
    /// waits for the write lock, then finds the script recorded (asked before the lock, both would run it and one
    /// would fail with "duplicate column"). PostgreSQL runs all in the caller's transaction, which holds the migration
    /// lock (its DDL is transactional: a failed run leaves nothing).
    /// </summary>
    private async Task ApplyAsync(DbConnection connection, DbTransaction? outer, string? stopBefore, CancellationToken ct)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY NOT NULL, applied_on TEXT NOT NULL)",
            transaction: outer, cancellationToken: ct));

        foreach (var (version, sql) in Scripts(Provider))
        {
            if (stopBefore is not null && string.CompareOrdinal(version, stopBefore) >= 0) break;
            var tx = outer ?? await BeginWriteAsync(connection, ct);
            try
            {
                var applied = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    "SELECT COUNT(*) FROM schema_migrations WHERE version = @version", new { version }, tx, cancellationToken: ct));
                if (applied > 0) continue;
                // Building indexes on a large library outlasts the 30-second command default (issue 21: minutes for
                // a million rows on PostgreSQL); a script runs to its end.
                await connection.ExecuteAsync(new CommandDefinition(sql, transaction: tx, commandTimeout: IsPostgres ? 0 : null, cancellationToken: ct));
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO schema_migrations (version, applied_on) VALUES (@version, @now)",
                    new { version, now = DateTimeOffset.UtcNow.ToString("O") }, tx, cancellationToken: ct));
                if (outer is null) await tx.CommitAsync(ct);
            }
            finally
            {
                if (outer is null) await tx.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// The scripts of one provider, by version name (<c>001_files</c>): SQLite's embedded as
    /// <c>AssetServer.Data.Migrations.001_files.sql</c>, PostgreSQL's as <c>AssetServer.Data.Migrations.Postgres.001_files.sql</c>.
    /// </summary>
    internal static IEnumerable<(string Version, string Sql)> Scripts(DatabaseProvider provider)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var prefix = provider == DatabaseProvider.Postgres ? "AssetServer.Data.Migrations.Postgres." : "AssetServer.Data.Migrations.";
        var names = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => (Resource: n, Version: n[prefix.Length..^4]))
            // A dot left in the version is a sub-folder: another provider's scripts.
            .Where(s => !s.Version.Contains('.'))
            .OrderBy(s => s.Version, StringComparer.Ordinal);
        foreach (var (resource, version) in names)
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            yield return (version, reader.ReadToEnd());
        }
    }

    public void Dispose() => postgres?.Dispose();
}
