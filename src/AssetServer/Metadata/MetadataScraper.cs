using System.Text.Json.Nodes;

namespace AssetServer.Metadata;

/// <summary>What an upload's bytes tell about it. Null members are unknown.</summary>
public sealed record ScrapedMetadata(
    int? Width,
    int? Height,
    JsonObject? Metadata,
    string? Title,
    string? Description,
    IReadOnlyList<string>? Tags,
    string? Location)
{
    public static readonly ScrapedMetadata None = new(null, null, null, null, null, null, null);
}

/// <summary>Reads dimensions and EXIF/IPTC/ICC/XMP from a stored file (placeholder until the Metadata module lands).</summary>
public sealed class MetadataScraper(ILogger<MetadataScraper> logger)
{
    public ScrapedMetadata Scrape(string path, string mimeType)
    {
        logger.LogDebug("Scraping {Path} as {Type}", path, mimeType);
        return ScrapedMetadata.None;
    }
}
