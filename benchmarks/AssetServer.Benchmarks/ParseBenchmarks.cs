using AssetServer.Assets;
using AssetServer.Files;
using AssetServer.Transforms;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace AssetServer.Benchmarks;

/// <summary>
/// Transform-parameter parsing and cache-key building, per request before any cache look-up.
/// Floor: copying the same query into a <see cref="Dictionary{TKey,TValue}"/>, the least any parser does.
/// </summary>
[MemoryDiagnoser]
public class ParseBenchmarks
{
    private static readonly TransformSource Source = new("image/jpeg", 4000, 3000, null, null);
    private const string BrowserAccept = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";

    /// <summary>An uploaded photo's row: the derivative's file name hashes its checksum with the cache key.</summary>
    private static readonly FileRecord Record = new()
    {
        Id = "0b5e8f1c-2d3a-4c6e-9f70-1a2b3c4d5e6f",
        FilenameDisk = "0b5e8f1c-2d3a-4c6e-9f70-1a2b3c4d5e6f.jpg",
        Type = "image/jpeg",
        Width = 4000,
        Height = 3000,
        Checksum = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    };

    private BenchmarkHost host = null!;
    private TransformParser parser = null!;
    private IQueryCollection cover = null!, chain = null!, preset = null!, auto = null!;

    [GlobalSetup]
    public void Setup()
    {
        host = BenchmarkHost.Create();
        parser = host.Get<TransformParser>();
        cover = Query("width=200&height=200&fit=cover&format=webp&quality=80");
        chain = Query("""transforms=[["rotate",90],["sharpen"],["grayscale"]]&width=800&format=jpg""");
        preset = Query("key=thumb");
        auto = Query("width=640&format=auto&withoutEnlargement=true");
    }

    [GlobalCleanup]
    public void Cleanup() => host.Dispose();

    private static QueryCollection Query(string text) => new(QueryHelpers.ParseQuery(text));

    [Benchmark(Baseline = true)]
    public Dictionary<string, string> QueryToDictionary()
    {
        var values = new Dictionary<string, string>(cover.Count, StringComparer.Ordinal);
        foreach (var (name, value) in cover) values[name] = value.ToString();
        return values;
    }

    [Benchmark]
    public string CoverWebp() => parser.Parse(cover, Source, null)!.CacheKey;

    /// <summary>Everything between the query and the derivative cache's look-up: parse, canonical key, file name.</summary>
    [Benchmark]
    public string CoverWebpDerivativeName() => AssetServer.Assets.Store.AssetStore.Fingerprint(Record, parser.Parse(cover, Source, null)!.CacheKey);

    [Benchmark]
    public string TransformsChain() => parser.Parse(chain, Source, null)!.CacheKey;

    [Benchmark]
    public string PresetKey() => parser.Parse(preset, Source, null)!.CacheKey;

    [Benchmark]
    public string AutoFormatFromAccept() => parser.Parse(auto, Source, BrowserAccept)!.CacheKey;
}
