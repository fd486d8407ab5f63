using System.Globalization;
using System.Text.Json.Nodes;

namespace AssetServer.Rendering.Media;

/// <summary>What <c>ffprobe</c> says of a video or audio file; null members were not readable.</summary>
public sealed record MediaInfo(int? Width, int? Height, int? Rotation, double? DurationSeconds, JsonObject Groups);

/// <summary>What <c>pdfinfo</c> says of a PDF: its page count and the asked page's box in points, rotation applied.</summary>
public sealed record PdfInfo(int Pages, double PageWidth, double PageHeight, int Rotation);

/// <summary>
/// Reads headers with the external engines, never decoding a frame: <c>ffprobe</c> for video and audio (demuxers
/// limited to media containers, so a playlist or <c>concat</c> file cannot make it read other files), <c>pdfinfo</c>
/// for PDFs. Each probe is a <see cref="SandboxedProcess"/>.
/// </summary>
public sealed class MediaProbe(MediaEngines engines, SandboxedProcess processes)
{
    /// <summary>The containers ffmpeg may open here: the ones cameras, phones and audio tools write.</summary>
    internal const string Demuxers = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mp3,wav,ogg,flac,aac,mpeg,mpegts,asf";

    private const int MaxProbeOutput = 1 << 20;

    /// <summary>The <c>ffmpeg</c>/<c>ffprobe</c> input arguments for a stored file: whitelisted formats and the file protocol only.</summary>
    internal static IEnumerable<string> Input(string path) =>
        ["-protocol_whitelist", "file", "-format_whitelist", Demuxers, "-i", "file:" + path];

    /// <summary>Null when ffprobe is missing or cannot read the file.</summary>
    public async Task<MediaInfo?> ProbeMediaAsync(string path, CancellationToken ct)
    {
        if (engines.Ffprobe is not { } ffprobe) return null;
        string[] arguments = ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", .. Input(path)];
        var result = await processes.RunAsync(ffprobe, arguments, MaxProbeOutput, ct);
        if (result.ExitCode != 0 || result.Output.Length == 0) return null;
        return JsonNode.Parse(result.Output) is JsonObject json ? Describe(json) : null;
    }

    /// <summary>Null when pdfinfo is missing or cannot read the file (or the page does not exist).</summary>
    public async Task<PdfInfo?> ProbePdfAsync(string path, int page, CancellationToken ct)
    {
        if (engines.Pdfinfo is not { } pdfinfo) return null;
        var number = page.ToString(CultureInfo.InvariantCulture);
        var result = await processes.RunAsync(pdfinfo, ["-f", number, "-l", number, path], MaxProbeOutput, ct);
        return result.ExitCode == 0 ? ParsePdfInfo(System.Text.Encoding.UTF8.GetString(result.Output), page) : null;
    }

    /// <summary>Reads pdfinfo's "Pages:", "Page N size: W x H pts" and "Page N rot: R" lines.</summary>
    internal static PdfInfo? ParsePdfInfo(string text, int page)
    {
        int? pages = null, rotation = null;
        double? width = null, height = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            var colon = line.IndexOf(':');
            if (colon < 0) continue;
            var (label, value) = (string.Join(' ', line[..colon].Split(' ', StringSplitOptions.RemoveEmptyEntries)), line[(colon + 1)..].Trim());
            if (label == "Pages" && int.TryParse(value, CultureInfo.InvariantCulture, out var count)) pages = count;
            else if (label == $"Page {page} size" || label == "Page size")
            {
                var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 3 && double.TryParse(parts[0], CultureInfo.InvariantCulture, out var w) &&
                    double.TryParse(parts[2], CultureInfo.InvariantCulture, out var h))
                    (width, height) = (w, h);
            }
            else if ((label == $"Page {page} rot" || label == "Page rot") && int.TryParse(value, CultureInfo.InvariantCulture, out var r))
                rotation = ((r % 360) + 360) % 360;
        }
        if (pages is not > 0 || width is not > 0 || height is not > 0) return null;
        var turned = rotation is 90 or 270;
        return new PdfInfo(pages.Value, turned ? height.Value : width.Value, turned ? width.Value : height.Value, rotation ?? 0);
    }

    /// <summary>The first real video stream (not a cover picture) and the first audio stream, with the container's duration.</summary>
    internal static MediaInfo Describe(JsonObject json)
    {
        var streams = (json["streams"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var format = json["format"] as JsonObject;
        var video = streams.FirstOrDefault(s => Text(s, "codec_type") == "video" && (s["disposition"]?["attached_pic"]?.GetValue<int>() ?? 0) == 0);
        var audio = streams.FirstOrDefault(s => Text(s, "codec_type") == "audio");

        var groups = new JsonObject();
        int? width = null, height = null, rotation = null;
        if (video is not null)
        {
            rotation = Rotation(video);
            (width, height) = (Int(video, "width"), Int(video, "height"));
            // A phone stores landscape pixels and a display matrix turning them: the displayed size swaps.
            if (rotation is 90 or 270) (width, height) = (height, width);
            groups["video"] = Compact(new JsonObject
            {
                ["codec"] = Text(video, "codec_name"),
                ["frame_rate"] = FrameRate(Text(video, "avg_frame_rate")) ?? FrameRate(Text(video, "r_frame_rate")),
                ["bit_rate"] = Long(video, "bit_rate"),
                ["pixel_format"] = Text(video, "pix_fmt"),
                ["rotation"] = rotation is > 0 ? rotation : null,
            });
        }
        if (audio is not null)
        {
            groups["audio"] = Compact(new JsonObject
            {
                ["codec"] = Text(audio, "codec_name"),
                ["channels"] = Int(audio, "channels"),
                ["sample_rate"] = Int(audio, "sample_rate"),
                ["bit_rate"] = Long(audio, "bit_rate"),
            });
        }
        var duration = Seconds(format, "duration") ?? Seconds(video, "duration") ?? Seconds(audio, "duration");
        if (format is not null)
        {
            groups["format"] = Compact(new JsonObject
            {
                ["name"] = Text(format, "format_name"),
                ["bit_rate"] = Long(format, "bit_rate"),
            });
        }
        return new MediaInfo(width, height, rotation, duration, groups);
    }

    /// <summary>The display matrix's turn (newer ffprobe: side data; older: the <c>rotate</c> tag), as 0, 90, 180 or 270.</summary>
    private static int? Rotation(JsonObject stream)
    {
        double? degrees = null;
        foreach (var side in (stream["side_data_list"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (side["rotation"] is JsonValue value && value.TryGetValue(out double d)) degrees = d;
        }
        if (degrees is null && double.TryParse(stream["tags"]?["rotate"]?.ToString(), CultureInfo.InvariantCulture, out var tag)) degrees = tag;
        if (degrees is null) return null;
        var quarter = (int)Math.Round(degrees.Value / 90.0);
        return ((quarter % 4) + 4) % 4 * 90;
    }

    private static JsonObject Compact(JsonObject group)
    {
        foreach (var key in group.Where(p => p.Value is null).Select(p => p.Key).ToList()) group.Remove(key);
        return group;
    }

    private static string? Text(JsonObject? node, string key) => node?[key] is JsonValue value ? value.ToString() : null;

    private static int? Int(JsonObject? node, string key) =>
        int.TryParse(Text(node, key), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;

    private static long? Long(JsonObject? node, string key) =>
        long.TryParse(Text(node, key), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;

    private static double? Seconds(JsonObject? node, string key) =>
        double.TryParse(Text(node, key), CultureInfo.InvariantCulture, out var s) && s >= 0 && double.IsFinite(s) ? s : null;

    /// <summary>"30000/1001" → 29.97; "0/0" (unknown) → null.</summary>
    private static double? FrameRate(string? ratio)
    {
        var parts = ratio?.Split('/');
        if (parts is not { Length: 2 } || !double.TryParse(parts[0], CultureInfo.InvariantCulture, out var n) ||
            !double.TryParse(parts[1], CultureInfo.InvariantCulture, out var d) || n <= 0 || d <= 0) return null;
        return Math.Round(n / d, 3);
    }
}
