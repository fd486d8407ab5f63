using System.Text.Json.Nodes;
using MetadataExtractor;
using MetadataExtractor.Formats.Bmp;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Gif;
using MetadataExtractor.Formats.Icc;
using MetadataExtractor.Formats.Jpeg;
using MetadataExtractor.Formats.Png;
using MetadataExtractor.Formats.WebP;
using MetadataExtractor.Formats.Xmp;
using MetadataExtractor.IO;
using Microsoft.Extensions.Options;
using AssetServer.Rendering.Media;
using Directory = MetadataExtractor.Directory;

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

    /// <summary>Milliseconds of audio or video (Directus's <c>duration</c>); null for stills and unreadable files.</summary>
    public int? Duration { get; init; }
}

/// <summary>
/// Reads display dimensions and the <c>exif</c>, <c>iptc</c>, <c>icc</c> and <c>xmp</c> groups from a stored image's
/// headers, never its pixels, so a decompression bomb costs no more than its header. Non-images get <see cref="ScrapedMetadata.None"/>
/// (Directus: <c>metadata</c> null); an image without metadata gets <c>{}</c>; an unparseable one its dimensions if known.
/// </summary>
public sealed class MetadataScraper
{
    private const string Heic = "image/heic";
    private const string Heif = "image/heif";
    private const string Avif = "image/avif";

    private static readonly HashSet<string> ImageTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "image/jpeg", "image/png", "image/gif", "image/webp", "image/tiff", "image/bmp", Avif, Heic, Heif,
    };

    private readonly ILogger<MetadataScraper> logger;
    private readonly HashSet<string> allowedKeys;
    private readonly HashSet<string> allowedGroups;

    private readonly MediaProbe? media;
    private readonly TimeSpan probeTimeout;

    public MetadataScraper(IOptions<MetadataOptions> options, ILogger<MetadataScraper> logger, MediaProbe? media = null, IOptions<MediaOptions>? mediaOptions = null)
    {
        this.logger = logger;
        this.media = media;
        probeTimeout = Configuration.Durations.Parse((mediaOptions?.Value ?? new MediaOptions()).ProbeTimeout, "Media:ProbeTimeout");
        var entries = options.Value.AllowList.Select(entry => entry.Trim()).Where(entry => entry.Length > 0).ToList();
        allowedGroups = entries.Where(e => e.EndsWith(".*", StringComparison.Ordinal)).Select(e => e[..^2]).ToHashSet(StringComparer.OrdinalIgnoreCase);
        allowedKeys = entries.Where(e => !e.EndsWith(".*", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    public ScrapedMetadata Scrape(string path, string mimeType)
    {
        var type = mimeType.Split(';')[0].Trim();
        if (media is not null && (MediaEngines.IsVideo(type) || MediaEngines.IsAudio(type) || MediaEngines.IsPdf(type)))
        {
            return ScrapeMedia(path, type);
        }

        if (!ImageTypes.Contains(type))
        {
            return ScrapedMetadata.None;
        }

        int? width = null;
        int? height = null;
        try
        {
            var isHeif = type is Heic or Heif or Avif;
            var directories = isHeif ? HeifDirectories(path, out width, out height) : ReadDirectories(path, type, out width, out height);
            return Describe(width, height, directories);
        }
        catch (Exception exception)
        {
            // Anything a parser throws here (including OutOfMemoryException from a forged length) is about the file, not the server.
            logger.LogWarning(exception, "Could not read the metadata of {Path} ({Type}); storing it without", path, type);
            if (width is null || height is null)
            {
                (width, height) = FallbackSize(path);
            }

            return ScrapedMetadata.None with { Width = width, Height = height };
        }
    }

    /// <summary>
    /// Issue 20: a video's displayed size, a duration, and the <c>video</c>/<c>audio</c>/<c>format</c> or <c>pdf</c>
    /// groups, read by the engines within <see cref="MediaOptions.ProbeTimeout"/>. A file they cannot read (truncated,
    /// corrupt, no engine) is stored all the same, with nulls. A PDF's width and height are its first page at 72 DPI,
    /// the size its poster has when no size is asked for.
    /// </summary>
    private ScrapedMetadata ScrapeMedia(string path, string type)
    {
        using var timeout = new CancellationTokenSource(probeTimeout);
        try
        {
            if (MediaEngines.IsPdf(type))
            {
                if (media!.ProbePdfAsync(path, 1, timeout.Token).GetAwaiter().GetResult() is not { } pdf) return ScrapedMetadata.None;
                var group = new JsonObject
                {
                    ["pages"] = pdf.Pages,
                    ["page_width"] = Math.Round(pdf.PageWidth, 2),
                    ["page_height"] = Math.Round(pdf.PageHeight, 2),
                    ["page_unit"] = "pt",
                };
                return ScrapedMetadata.None with
                {
                    Width = PdfPixels(pdf.PageWidth), Height = PdfPixels(pdf.PageHeight),
                    Metadata = Filter(new Dictionary<string, JsonObject> { ["pdf"] = group }),
                };
            }

            if (media!.ProbeMediaAsync(path, timeout.Token).GetAwaiter().GetResult() is not { } info) return ScrapedMetadata.None;
            var groups = info.Groups.ToDictionary(p => p.Key, p => (JsonObject)p.Value!.DeepClone());
            var video = MediaEngines.IsVideo(type);
            return ScrapedMetadata.None with
            {
                Width = video ? info.Width : null,
                Height = video ? info.Height : null,
                Duration = info.DurationSeconds is { } seconds && seconds * 1000 < int.MaxValue ? (int)Math.Round(seconds * 1000) : null,
                Metadata = Filter(groups),
            };
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or System.Text.Json.JsonException
                                              or System.ComponentModel.Win32Exception)
        {
            logger.LogWarning(exception, "Could not probe {Path} ({Type}); storing it without its media fields", path, type);
            return ScrapedMetadata.None;
        }
    }

    /// <summary>A page box in points at 72 DPI, the way a PDF viewer at 100 % shows it; a degenerate box is unknown.</summary>
    private static int? PdfPixels(double points) => points is >= 0.5 and < int.MaxValue ? (int)Math.Round(points) : null;

    private static IReadOnlyList<Directory> ReadDirectories(string path, string type, out int? width, out int? height)
    {
        width = null;
        height = null;
        IReadOnlyList<Directory> directories;
        if (type.Equals("image/png", StringComparison.OrdinalIgnoreCase))
        {
            using var file = File.OpenRead(path);
            using var headers = PngMetadataChunks.Copy(file);
            directories = PngMetadataReader.ReadMetadata(headers);
        }
        else
        {
            directories = ImageMetadataReader.ReadMetadata(path);
        }

        (width, height) = NullIfUnknown(StoredSize(directories, type)) is { } size
            ? Displayed(size, ExifMapping.Orientation(directories))
            : FallbackSize(path);
        return directories;
    }

    /// <summary>libvips reports HEIF sizes with the container's rotation already applied; its orientation field says what remains.</summary>
    private static IReadOnlyList<Directory> HeifDirectories(string path, out int? width, out int? height)
    {
        var header = LibvipsHeader.Read(path);
        (width, height) = Displayed((header.Width, header.Height), header.Orientation);
        var directories = new List<Directory>();
        if (header.Exif is { } exif)
        {
            // libvips keeps the "Exif\0\0" preamble of a JPEG APP1 segment in front of the TIFF header.
            var offset = ExifReader.StartsWithJpegExifPreamble(exif) ? ExifReader.JpegSegmentPreamble.Length : 0;
            directories.AddRange(new ExifReader().Extract(new ByteArrayReader(exif, offset)));
        }

        if (header.Icc is { } icc)
        {
            directories.Add(new IccReader().Extract(new ByteArrayReader(icc)));
        }

        if (header.Xmp is { } xmp)
        {
            directories.Add(new XmpReader().Extract(xmp));
        }

        return directories;
    }

    private static (int? Width, int? Height) StoredSize(IReadOnlyList<Directory> directories, string type)
    {
        var (directory, widthTag, heightTag) = type.ToLowerInvariant() switch
        {
            "image/jpeg" => (directories.OfType<JpegDirectory>().FirstOrDefault(), JpegDirectory.TagImageWidth, JpegDirectory.TagImageHeight),
            "image/png" => (directories.OfType<PngDirectory>().FirstOrDefault(), PngDirectory.TagImageWidth, PngDirectory.TagImageHeight),
            "image/gif" => (directories.OfType<GifHeaderDirectory>().FirstOrDefault(), GifHeaderDirectory.TagImageWidth, GifHeaderDirectory.TagImageHeight),
            "image/webp" => (directories.OfType<WebPDirectory>().FirstOrDefault(), WebPDirectory.TagImageWidth, WebPDirectory.TagImageHeight),
            "image/bmp" => (directories.OfType<BmpHeaderDirectory>().FirstOrDefault(), BmpHeaderDirectory.TagImageWidth, BmpHeaderDirectory.TagImageHeight),
            "image/tiff" => ((Directory?)directories.OfType<ExifIfd0Directory>().FirstOrDefault(), ExifDirectoryBase.TagImageWidth, ExifDirectoryBase.TagImageHeight),
            _ => (null, 0, 0),
        };

        // BMP stores a negative height for top-down rows.
        return directory is not null && directory.TryGetInt32(widthTag, out var width) && directory.TryGetInt32(heightTag, out var height)
            && width != 0 && height != 0
            ? (Math.Abs(width), Math.Abs(height))
            : (null, null);
    }

    private static (int? Width, int? Height)? NullIfUnknown((int? Width, int? Height) size) =>
        size.Width is null || size.Height is null ? null : size;

    /// <summary>EXIF orientations 5–8 turn the stored image by 90°, so the displayed width is the stored height.</summary>
    private static (int? Width, int? Height) Displayed((int? Width, int? Height) size, int orientation) =>
        orientation is >= 5 and <= 8 ? (size.Height, size.Width) : size;

    /// <summary>When MetadataExtractor cannot size a file, libvips's header read may (it never decodes pixels here).</summary>
    private static (int? Width, int? Height) FallbackSize(string path)
    {
        try
        {
            var header = LibvipsHeader.Read(path);
            return Displayed((header.Width, header.Height), header.Orientation);
        }
        catch (NetVips.VipsException)
        {
            return (null, null);
        }
    }

    private ScrapedMetadata Describe(int? width, int? height, IReadOnlyList<Directory> directories)
    {
        var groups = new Dictionary<string, JsonObject>
        {
            ["exif"] = ExifMapping.Read(directories),
            ["iptc"] = IptcMapping.Read(directories),
            ["icc"] = IccMapping.Read(directories),
            ["xmp"] = XmpMapping.Read(directories),
        };
        var iptc = groups["iptc"];
        var exif = groups["exif"];
        var xmp = groups["xmp"];

        return new ScrapedMetadata(
            width,
            height,
            Filter(groups),
            Title: Text(iptc, IptcMapping.Headline) ?? Text(iptc, IptcMapping.ObjectName) ?? Text(xmp, XmpMapping.Title),
            Description: Text(iptc, IptcMapping.Caption) ?? Text(exif, "ImageDescription") ?? Text(xmp, XmpMapping.Description),
            Tags: List(iptc, IptcMapping.Keywords) ?? List(xmp, XmpMapping.Subject),
            Location: Place(iptc) ?? ExifMapping.Location(directories));
    }

    /// <summary>The groups kept by <see cref="MetadataOptions.AllowList"/>; empty groups are left out.</summary>
    private JsonObject Filter(Dictionary<string, JsonObject> groups)
    {
        var metadata = new JsonObject();
        var filtering = allowedGroups.Count > 0 || allowedKeys.Count > 0;
        foreach (var (name, group) in groups)
        {
            var kept = new JsonObject();
            foreach (var (key, value) in group)
            {
                if (!filtering || allowedGroups.Contains(name) || allowedKeys.Contains($"{name}.{key}"))
                {
                    kept[key] = value?.DeepClone();
                }
            }

            if (kept.Count > 0)
            {
                metadata[name] = kept;
            }
        }

        return metadata;
    }

    private static string? Text(JsonObject group, string key) => group[key] switch
    {
        JsonValue value when value.TryGetValue(out string? text) && text.Length > 0 => text,
        JsonArray { Count: > 0 } array => array[0]?.GetValue<string>(),
        _ => null,
    };

    private static IReadOnlyList<string>? List(JsonObject group, string key) => group[key] switch
    {
        JsonArray array => array.Select(item => item?.GetValue<string>()).OfType<string>().ToList() is { Count: > 0 } list ? list : null,
        JsonValue value when value.TryGetValue(out string? text) => [text],
        _ => null,
    };

    private static string? Place(JsonObject iptc)
    {
        var parts = new[] { Text(iptc, IptcMapping.City), Text(iptc, IptcMapping.Country) }.OfType<string>().ToArray();
        return parts.Length > 0 ? string.Join(", ", parts) : null;
    }
}
