namespace AssetServer.Server;

/// <summary>The <c>Server</c> section.</summary>
public sealed class ServerOptions
{
    /// <summary>Base for absolute URLs the server hands out.</summary>
    public string PublicUrl { get; set; } = "http://localhost:8055";
}
