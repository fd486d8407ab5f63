using AssetServer.Transforms;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using NetVips;

namespace AssetServer.Benchmarks;

/// <summary>
/// Cold renders of a 12-megapixel camera JPEG (4000×3000, EXIF) through <see cref="RenderPipeline"/>, each into a
/// file as the derivative cache has it written. Floor: what <c>vipsthumbnail</c> does, called directly —
/// <c>thumbnail</c> with a centre crop and <c>webpsave</c> — with libvips's defaults for threads.
/// </summary>
[MemoryDiagnoser]
public class RenderBenchmarks
{
    private static readonly TransformSource Source = new("image/jpeg", 4000, 3000, null, null);

    private BenchmarkHost host = null!;
    private RenderPipeline pipeline = null!;
    private string photo = null!, output = null!;
    private TransformRequest coverJpg = null!, coverWebp = null!, coverAvif = null!, inside1200 = null!, chain = null!;

    /// <summary>
    /// The floor gets a process of its own without <see cref="LibvipsSetup.Apply"/>, which sets process-wide libvips
    /// settings (one worker thread per render): the floor keeps vipsthumbnail's defaults.
    /// </summary>
    [GlobalSetup(Target = nameof(VipsThumbnailCoverWebp))]
    public void SetupFloor()
    {
        CreatePhoto();
        // Each vipsthumbnail run starts with an empty operation cache; without this every call after the first
        // would be answered from the cache and measure nothing.
        Cache.Max = 0;
    }

    [GlobalSetup(Targets = [nameof(CoverJpg), nameof(CoverWebp), nameof(CoverAvif), nameof(Inside1200Jpg), nameof(TransformsChain)])]
    public void SetupPipeline()
    {
        CreatePhoto();
        LibvipsSetup.Apply();
        pipeline = host.Get<RenderPipeline>();
        var parser = host.Get<TransformParser>();
        TransformRequest Parse(string query) =>
            parser.Parse(new QueryCollection(QueryHelpers.ParseQuery(query)), Source, null)
            ?? throw new InvalidOperationException($"'{query}' parsed to no transform.");
        coverJpg = Parse("width=200&height=200&fit=cover&format=jpg&quality=80");
        coverWebp = Parse("width=200&height=200&fit=cover&format=webp&quality=80");
        coverAvif = Parse("width=200&height=200&fit=cover&format=avif&quality=80");
        inside1200 = Parse("width=1200&fit=inside&format=jpg&quality=80");
        chain = Parse("""transforms=[["rotate",90],["sharpen"],["grayscale"]]&width=800&format=jpg&quality=80""");
    }

    private void CreatePhoto()
    {
        host = BenchmarkHost.Create();
        photo = Photos.Camera(Path.Combine(host.WorkFolder, "camera-12mp.jpg"), 4000, 3000);
        // The pipeline picks the encoder from the request, not from the file name.
        output = Path.Combine(host.WorkFolder, "derivative.out");
    }

    [GlobalCleanup]
    public void Cleanup() => host.Dispose();

    [Benchmark(Baseline = true)]
    public long VipsThumbnailCoverWebp()
    {
        using var thumbnail = Image.Thumbnail(photo, 200, height: 200, crop: Enums.Interesting.Centre);
        var bytes = thumbnail.WebpsaveBuffer(q: 80);
        // Written out as vipsthumbnail does, so both sides end with a file.
        File.WriteAllBytes(output, bytes);
        return bytes.Length;
    }

    [Benchmark]
    public Task CoverJpg() => pipeline.RenderAsync(photo, coverJpg, output, CancellationToken.None);

    [Benchmark]
    public Task CoverWebp() => pipeline.RenderAsync(photo, coverWebp, output, CancellationToken.None);

    [Benchmark]
    public Task CoverAvif() => pipeline.RenderAsync(photo, coverAvif, output, CancellationToken.None);

    [Benchmark]
    public Task Inside1200Jpg() => pipeline.RenderAsync(photo, inside1200, output, CancellationToken.None);

    /// <summary>rotate 90 before the resize (full decode, random access), sharpen and grayscale after it.</summary>
    [Benchmark]
    public Task TransformsChain() => pipeline.RenderAsync(photo, chain, output, CancellationToken.None);
}
