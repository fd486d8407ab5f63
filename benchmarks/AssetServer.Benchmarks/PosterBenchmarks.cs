using System.Diagnostics;
using AssetServer.Metadata;
using AssetServer.Transforms;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace AssetServer.Benchmarks;

/// <summary>
/// Issue 20: a first (uncached) poster through <see cref="RenderPipeline"/>, the engine's probe and sandbox included,
/// against the engine run alone on the same file (floors, same run): a 1080p H.264 video (10 s) → a 320-wide WebP of
/// its frame at 1 s, vs <c>ffmpeg -ss 1 -i … -frames:v 1</c> to a JPEG; a two-page A4 PDF → page 1 as a 200-wide PNG,
/// vs <c>pdftoppm -scale-to-x 200</c>. Also the upload probe: <see cref="MetadataScraper.Scrape"/> of the video vs
/// of a JPEG photo (what an image upload pays).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PosterBenchmarks
{
    private BenchmarkHost host = null!;
    private RenderPipeline pipeline = null!;
    private MetadataScraper scraper = null!;
    private string video = null!, pdf = null!, photo = null!, output = null!;
    private TransformRequest videoPoster = null!, pdfPoster = null!;

    [GlobalSetup]
    public void Setup()
    {
        host = BenchmarkHost.Create();
        LibvipsSetup.Apply();
        video = Path.Combine(host.WorkFolder, "1080p.mp4");
        Run("ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", "testsrc=size=1920x1080:rate=30:duration=10",
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", video);
        pdf = Path.Combine(host.WorkFolder, "a4.pdf");
        File.WriteAllBytes(pdf, Tests.Support.PdfFiles.Build());
        photo = Photos.Camera(Path.Combine(host.WorkFolder, "camera.jpg"), 4000, 3000);
        output = Path.Combine(host.WorkFolder, "poster.out");
        pipeline = host.Get<RenderPipeline>();
        scraper = host.Get<MetadataScraper>();
        var parser = host.Get<TransformParser>();
        TransformRequest Parse(string query, TransformSource source) =>
            parser.Parse(new QueryCollection(QueryHelpers.ParseQuery(query)), source, null) ?? throw new InvalidOperationException(query);
        videoPoster = Parse("width=320&format=webp&poster_time=1", new TransformSource("video/mp4", 1920, 1080, null, null, 10_000));
        pdfPoster = Parse("width=200&format=png", new TransformSource("application/pdf", 595, 842, null, null));
    }

    [GlobalCleanup]
    public void Cleanup() => host.Dispose();

    [Benchmark(Baseline = true), BenchmarkCategory("video")]
    public void FfmpegFrameAlone() =>
        Run("ffmpeg", "-v", "error", "-nostdin", "-y", "-ss", "1", "-i", video, "-frames:v", "1", "-vf", "scale=320:-1", output + ".jpg");

    [Benchmark, BenchmarkCategory("video")]
    public Task VideoPosterWebp320() => pipeline.RenderAsync(video, videoPoster, output, CancellationToken.None);

    [Benchmark(Baseline = true), BenchmarkCategory("pdf")]
    public void PdftoppmAlone() =>
        Run("pdftoppm", "-f", "1", "-l", "1", "-singlefile", "-png", "-scale-to-x", "200", "-scale-to-y", "-1", pdf, output);

    [Benchmark, BenchmarkCategory("pdf")]
    public Task PdfPosterPng200() => pipeline.RenderAsync(pdf, pdfPoster, output, CancellationToken.None);

    [Benchmark(Baseline = true), BenchmarkCategory("upload probe")]
    public ScrapedMetadata ScrapePhoto() => scraper.Scrape(photo, "image/jpeg");

    [Benchmark, BenchmarkCategory("upload probe")]
    public ScrapedMetadata ScrapeVideo() => scraper.Scrape(video, "video/mp4");

    private static void Run(string tool, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, arguments) { RedirectStandardError = true })!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{tool} failed: {errors}");
    }
}
