using AssetServer.Assets.Store;
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
        services.AddSingleton<AssetStore>();
        services.AddSingleton<RepresentationMemo>();
        services.AddSingleton<AssetResolver>();
        services.AddSingleton<AssetSigner>();
        services.AddSingleton<AssetCacheControl>();
        services.AddSingleton<Archives.ArchiveService>();
        // Replaces and deletes invalidate every tier of the one store.
        services.AddSingleton<IDerivativeInvalidator>(sp => sp.GetRequiredService<AssetStore>());
        return services;
    }

    public static void MapAssets(this WebApplication app) => AssetsApi.Map(app);
}
