using AssetServer.Configuration;
using Microsoft.Extensions.Options;

namespace AssetServer.Assets;

/// <summary>The two <c>Cache-Control</c> values of assets, built once from <c>Assets:CacheTtl</c> rather than per request.</summary>
public sealed class AssetCacheControl(IOptions<AssetsOptions> options)
{
    private readonly long maxAge = (long)Durations.Parse(options.Value.CacheTtl, "Assets:CacheTtl").TotalSeconds;

    /// <summary>Shared caches may keep only what anyone may fetch; anything fetched with a token stays private.</summary>
    public string For(bool anonymous) => anonymous ? publicValue : privateValue;

    private string publicValue => field ??= $"public, max-age={maxAge}";
    private string privateValue => field ??= $"private, max-age={maxAge}";
}
