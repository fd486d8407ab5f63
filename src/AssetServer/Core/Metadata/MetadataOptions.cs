namespace AssetServer.Metadata;

/// <summary>The <c>Metadata</c> section.</summary>
public sealed class MetadataOptions
{
    /// <summary>
    /// Keys kept in <c>metadata</c>, as <c>group.Name</c> (<c>exif.Make</c>) or <c>group.*</c> (<c>icc.*</c>); empty keeps everything scraped.
    /// </summary>
    public string[] AllowList { get; set; } = [];
}
