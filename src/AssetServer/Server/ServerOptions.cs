namespace AssetServer.Server;

/// <summary>The <c>Server</c> section.</summary>
public sealed class ServerOptions
{
    /// <summary>Base for absolute URLs the server hands out.</summary>
    public string PublicUrl { get; set; } = "http://localhost:8055";

    /// <summary>
    /// The Directus v8 project name: the first path segment of the v8 routes (<c>/_/files</c>) and the second of
    /// <c>/uploads/_/originals/…</c>. Any other project name is a 404 in v8's error shape.
    /// </summary>
    public string Project { get; set; } = "_";
}
