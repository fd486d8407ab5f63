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

    /// <summary>
    /// This node's name in a cluster (uploads in flight are recorded under it, and a starting node cleans up its own at
    /// once). Defaults to the machine name; several nodes on one host need distinct ids.
    /// </summary>
    public string NodeId { get; set; } = "";
}
