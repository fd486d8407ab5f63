namespace AssetServer.Tus;

/// <summary>What this server speaks of tus.</summary>
public static class TusProtocol
{
    public const string Version = "1.0.0";

    public const string Extensions = "creation,termination,expiration";

    /// <summary>The media type of a chunk (tus core).</summary>
    public const string ChunkType = "application/offset+octet-stream";
}
