namespace AssetServer.Metadata;

/// <summary>Decides a MIME type from magic bytes (placeholder until the Metadata module lands).</summary>
public static class ContentSniffer
{
    /// <summary>How many leading bytes <see cref="Sniff"/> wants to see.</summary>
    public const int HeadLength = 8192;

    public static string Sniff(ReadOnlySpan<byte> head, string? fileName, string? clientType) => "application/octet-stream";

    /// <summary>The usual extension for a MIME type, without the dot (<c>image/jpeg</c> → <c>jpg</c>).</summary>
    public static string ExtensionFor(string mimeType) => "bin";
}
