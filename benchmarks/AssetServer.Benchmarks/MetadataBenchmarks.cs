using AssetServer.Metadata;
using BenchmarkDotNet.Attributes;
using MetadataExtractor;

namespace AssetServer.Benchmarks;

/// <summary>
/// Metadata scraping on upload: a photo carrying EXIF, IPTC and an ICC profile.
/// Floor: MetadataExtractor reading the directories alone, before any mapping to the file object.
/// </summary>
[MemoryDiagnoser]
public class MetadataBenchmarks
{
    private BenchmarkHost host = null!;
    private MetadataScraper scraper = null!;
    private string tagged = null!, camera = null!;

    [GlobalSetup]
    public void Setup()
    {
        host = BenchmarkHost.Create();
        scraper = host.Get<MetadataScraper>();
        tagged = Photos.Camera(Path.Combine(host.WorkFolder, "tagged.jpg"), 1600, 1067, iptcAndIcc: true);
        camera = Photos.Camera(Path.Combine(host.WorkFolder, "camera-12mp.jpg"), 4000, 3000);
    }

    [GlobalCleanup]
    public void Cleanup() => host.Dispose();

    [Benchmark(Baseline = true)]
    public int ReadDirectories() => ImageMetadataReader.ReadMetadata(tagged).Count;

    [Benchmark]
    public ScrapedMetadata ScrapeExifIptcIcc() => scraper.Scrape(tagged, "image/jpeg");

    /// <summary>The same work on a 12 MP camera file: should cost what the small one does (headers only, no decode).</summary>
    [Benchmark]
    public ScrapedMetadata Scrape12Megapixel() => scraper.Scrape(camera, "image/jpeg");
}
