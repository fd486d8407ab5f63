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
    /// This node's name in a cluster: uploads in flight to the object store are recorded under it. Empty (the default):
    /// the machine name and a random suffix, new in every process, so nodes on one host never share one; a starting
    /// node then sweeps any node's unfinished puts only after an hour. A configured id must be one process's at a
    /// time: a node started under it sweeps that id's unfinished puts at once.
    /// </summary>
    public string NodeId { get; set; } = "";
}
