using System.Text.Json.Nodes;
using AssetServer.Metadata;
using AssetServer.Transforms;
using BenchmarkDotNet.Attributes;

namespace AssetServer.Benchmarks;

/// <summary>
/// What a placeholder (BlurHash + dominant colour, issue 12) adds to an upload of a 12 MP camera JPEG. Floor: the
/// metadata scrape every upload already pays. Target: at most 5 ms per 12 MP JPEG.
/// </summary>
[MemoryDiagnoser]
public class PlaceholderBenchmarks
{
    private BenchmarkHost host = null!;
    private MetadataScraper scraper = null!;
    private PlaceholderRenderer placeholders = null!;
    private string camera = null!, phone = null!;

    [GlobalSetup]
    public void Setup()
    {
        host = BenchmarkHost.Create();
        LibvipsSetup.Apply();
        scraper = host.Get<MetadataScraper>();
        placeholders = host.Get<PlaceholderRenderer>();
        camera = Photos.Camera(Path.Combine(host.WorkFolder, "camera-12mp.jpg"), 4000, 3000);
        phone = Photos.CameraWithThumbnail(Path.Combine(host.WorkFolder, "phone-12mp.jpg"), 4000, 3000);
    }

    [GlobalCleanup]
    public void Cleanup() => host.Dispose();

    [Benchmark(Baseline = true)]
    public ScrapedMetadata Scrape12Megapixel() => scraper.Scrape(camera, "image/jpeg");

    /// <summary>No embedded thumbnail: libvips decodes the photo with shrink-on-load (1/8).</summary>
    [Benchmark]
    public JsonObject? Placeholder12Megapixel() => placeholders.Compute(camera, "image/jpeg", 4000, 3000);

    /// <summary>What cameras and phones write: the placeholder comes from the 160-pixel thumbnail in EXIF.</summary>
    [Benchmark]
    public JsonObject? Placeholder12MegapixelWithExifThumbnail() => placeholders.Compute(phone, "image/jpeg", 4000, 3000);
}
