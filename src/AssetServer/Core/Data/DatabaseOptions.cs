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

    internal DatabaseProvider? Parsed => Provider.Trim().ToLowerInvariant() switch
    {
        "sqlite" => DatabaseProvider.Sqlite,
        "postgres" or "postgresql" => DatabaseProvider.Postgres,
        _ => null,
    };
}
