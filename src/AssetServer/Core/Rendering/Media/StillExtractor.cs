using System.Globalization;
using AssetServer.Assets;
using AssetServer.Errors;
using AssetServer.Transforms;
using AssetServer.Transforms.Steps;
using Microsoft.Extensions.Options;

namespace AssetServer.Rendering.Media;

/// <summary>
/// Issue 20: writes the still that stands in for a video's or PDF's decoded source, as a PNG the render pipeline
/// then fits, encodes and caches like any image. The engine's own probe runs first, so a bomb (a 100,000-page PDF,
/// a 10⁶-point page, a video claiming 100,000² pixels or lasting 10 hours) is refused before any frame or page is
/// decoded. Both processes run on the render's token: its timeout (queue wait included) and its cancellation.
/// </summary>
public sealed class StillExtractor(MediaEngines engines, MediaProbe probe, SandboxedProcess processes, IOptions<MediaOptions> media, IOptions<AssetsOptions> assets)
{
    /// <summary>What starting one engine process costs in the render scheduler's admission, in pixels' worth of work.</summary>
    public const long ProcessCost = 2_000_000;

    /// <summary>A poster runs two processes: the probe and the extraction.</summary>
    public const long PosterCost = 2 * ProcessCost;

    private const int MaxLog = 1 << 16;

    private readonly TimeSpan maxDuration = Configuration.Durations.Parse(media.Value.MaxDuration, "Media:MaxDuration");

    /// <summary>Writes <paramref name="request"/>'s still of <paramref name="sourcePath"/> to <paramref name="stillPath"/> (a <c>.png</c> path).</summary>
    public Task ExtractAsync(string sourcePath, TransformRequest request, string stillPath, CancellationToken ct)
    {
        var poster = request.Poster ?? throw new ArgumentException("The request has no poster.", nameof(request));
        return poster.Pdf ? PageAsync(sourcePath, request, poster.Page, stillPath, ct) : FrameAsync(sourcePath, poster.Time, stillPath, ct);
    }

    private async Task FrameAsync(string sourcePath, double time, string stillPath, CancellationToken ct)
    {
        if (engines.Ffmpeg is not { } ffmpeg) throw NoEngine("video frames (ffmpeg)");
        var info = await probe.ProbeMediaAsync(sourcePath, ct) ?? throw SourceProbe.Damaged("ffprobe could not read the video");
        if (info.Width is not { } width || info.Height is not { } height) throw SourceProbe.Damaged("the file has no video stream");
        var limits = assets.Value;
        if (width > limits.MaxDimension || height > limits.MaxDimension || (long)width * height > limits.MaxInputPixels)
            throw ApiErrors.IllegalTransformationBecause($"The video is {width}x{height}, larger than {limits.MaxDimension} pixels on a side", RenderPlan.OutputLimitParameters);
        if (info.DurationSeconds is { } length && length > maxDuration.TotalSeconds)
            throw ApiErrors.IllegalTransformationBecause($"The video lasts {TimeSpan.FromSeconds(length):c}, longer than Media:MaxDuration", TransformParameters.PosterTime);

        // Past the end there is no frame: take the last one there is (about 0.1 s before the end), else the first.
        var at = info.DurationSeconds is { } end ? Math.Min(time, Math.Max(0, end - 0.1)) : time;
        foreach (var seek in at > 0 ? [at, 0] : new[] { 0.0 })
        {
            File.Delete(stillPath);
            // -ss before -i seeks on the container's index (fast) then decodes up to the exact time; the frame is
            // turned as the display matrix says (ffmpeg's autorotate) and written as 8-bit RGB.
            string[] arguments =
            [
                "-v", "error", "-nostdin", "-hide_banner", "-threads", "1",
                "-ss", seek.ToString("0.000", CultureInfo.InvariantCulture), .. MediaProbe.Input(sourcePath),
                "-map", "0:V:0?", "-frames:v", "1", "-an", "-sn", "-dn", "-pix_fmt", "rgb24",
                "-f", "image2", "-c:v", "png", "-compression_level", "1", "-y", "file:" + stillPath,
            ];
            var result = await processes.RunAsync(ffmpeg, arguments, MaxLog, ct);
            if (result.ExitCode == 0 && File.Exists(stillPath) && new FileInfo(stillPath).Length > 0) return;
        }
        throw SourceProbe.Damaged("ffmpeg could not decode a frame");
    }

    private async Task PageAsync(string sourcePath, TransformRequest request, int page, string stillPath, CancellationToken ct)
    {
        if (engines.Pdftoppm is not { } pdftoppm) throw NoEngine("PDF pages (poppler-utils)");
        var info = await probe.ProbePdfAsync(sourcePath, page, ct);
        if (info is null)
        {
            // pdfinfo fails on a page past the end; page 1 tells whether the file or the page number is wrong.
            if (page > 1 && await probe.ProbePdfAsync(sourcePath, 1, ct) is { } first && page > first.Pages)
                throw ApiErrors.IllegalTransformationBecause($"The PDF has {first.Pages} pages, not {page}", TransformParameters.Page);
            throw SourceProbe.Damaged("pdfinfo could not read the PDF");
        }
        var limits = media.Value;
        if (info.Pages > limits.MaxPdfPages)
            throw ApiErrors.IllegalTransformationBecause($"The PDF has {info.Pages} pages, more than Media:MaxPdfPages ({limits.MaxPdfPages})", TransformParameters.Page);
        if (info.PageWidth > limits.MaxPdfPagePoints || info.PageHeight > limits.MaxPdfPagePoints)
            throw ApiErrors.IllegalTransformationBecause(
                $"Page {page} is {info.PageWidth:0}x{info.PageHeight:0} points, larger than Media:MaxPdfPagePoints ({limits.MaxPdfPagePoints})", TransformParameters.Page);

        var (width, height) = RasterSize(request, info.PageWidth, info.PageHeight, assets.Value.MaxDimension);
        var number = page.ToString(CultureInfo.InvariantCulture);
        // pdftoppm appends ".png" to the root it is given.
        var root = stillPath.EndsWith(".png", StringComparison.Ordinal) ? stillPath[..^4] : stillPath;
        string[] arguments =
        [
            "-f", number, "-l", number, "-singlefile", "-png",
            "-scale-to-x", width.ToString(CultureInfo.InvariantCulture), "-scale-to-y", height.ToString(CultureInfo.InvariantCulture),
            sourcePath, root,
        ];
        var result = await processes.RunAsync(pdftoppm, arguments, MaxLog, ct);
        if (result.ExitCode != 0 || !File.Exists(root + ".png")) throw SourceProbe.Damaged("pdftoppm could not render the page");
        if (root + ".png" != stillPath) File.Move(root + ".png", stillPath, overwrite: true);
    }

    /// <summary>
    /// The pixel size to rasterise a page of <paramref name="pageWidth"/>×<paramref name="pageHeight"/> points at:
    /// the size the resize would scale it to (the DPI the output needs, never a fixed high one), the page at 72 DPI
    /// when nothing resizes it or operations act on the source first, and never more than the largest side allowed.
    /// </summary>
    internal static (int Width, int Height) RasterSize(TransformRequest request, double pageWidth, double pageHeight, int maxDimension)
    {
        var page = new Dimensions(Math.Max(1, (int)Math.Round(pageWidth)), Math.Max(1, (int)Math.Round(pageHeight)));
        var scale = 1.0;
        if (request.Resize is { } resize && !request.HasSourceOperations)
        {
            var scaled = RenderPlan.Geometry(page, resize, null).Scaled;
            scale = Math.Max(scaled.Width / (double)page.Width, scaled.Height / (double)page.Height);
        }
        scale = Math.Min(scale, maxDimension / (double)Math.Max(page.Width, page.Height));
        return (Math.Max(1, (int)Math.Round(page.Width * scale)), Math.Max(1, (int)Math.Round(page.Height * scale)));
    }

    private static ApiException NoEngine(string what) =>
        ApiErrors.IllegalTransformationBecause($"This server has no engine for {what}", TransformParameters.Format);
}
