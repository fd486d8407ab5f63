namespace AssetServer.Data;

/// <summary>Which database holds the rows: SQLite, a file beside the originals, or a shared PostgreSQL.</summary>
public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>The <c>Database</c> section (API.md, "Scale-out configuration").</summary>
public sealed class DatabaseOptions
{
    /// <summary><c>sqlite</c> (the file <c>assetserver.db</c> under <c>Data:Path</c>) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>The Npgsql connection string, when <see cref="Provider"/> is <c>postgres</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// A library of at most this many files gets its query indexes built at start-up, before the server answers; a
    /// larger one (an upgrade) gets them in the background while it answers (issue 21).
    /// </summary>
    public long IndexBuildInlineRows { get; set; } = 10_000;

    /// <summary>How many files each write transaction of the background index build adds to the search table.</summary>
    public int IndexBuildBatchRows { get; set; } = 10_000;

    /// <summary>
    /// SQLite: the most of the database file read through a memory map (<c>PRAGMA mmap_size</c>; 0 reads with
    /// <c>pread</c>). Random reads of rows are not a system call each (issue 21), but mapped pages count in the
    /// process's resident memory, and a read error from a failing disk ends the process instead of one request.
    /// </summary>
    public long SqliteMapBytes { get; set; } = Data.Database.DefaultMapBytes;

    internal DatabaseProvider? Parsed => Provider.Trim().ToLowerInvariant() switch
    {
        "sqlite" => DatabaseProvider.Sqlite,
        "postgres" or "postgresql" => DatabaseProvider.Postgres,
        _ => null,
    };
}
