using AssetServer.Storage;
using AssetServer.Transforms;
using Microsoft.Extensions.Options;

namespace AssetServer.Assets;

/// <summary>Registration and routes of <c>/assets</c>.</summary>
public static class AssetsSetup
{
    public static IServiceCollection AddAssets(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptionsWithValidateOnStart<AssetsOptions>().BindConfiguration("Assets");
        services.AddSingleton<IValidateOptions<AssetsOptions>, AssetsOptionsValidator>();
        services.AddSingleton<PresetStore>();
        services.AddSingleton<TransformParser>();
        services.AddSingleton<RenderPipeline>();
        services.AddSingleton<DerivativeCache>();
        services.AddSingleton<AssetSigner>();
        services.AddSingleton<HotAssetCache>();
        services.AddSingleton<AssetCacheControl>();
        // Registered after the Files module's disk-only invalidator, so this one (disk and tracked sizes) wins.
        services.AddSingleton<IDerivativeInvalidator>(sp => sp.GetRequiredService<DerivativeCache>());
        return services;
    }

    public static void MapAssets(this WebApplication app) => AssetsApi.Map(app);
}
