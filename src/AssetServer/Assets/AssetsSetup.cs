namespace AssetServer.Assets;

/// <summary>Registration of the asset pipeline (placeholder until the Assets module lands).</summary>
public static class AssetsSetup
{
    public static IServiceCollection AddAssets(this IServiceCollection services, IConfiguration configuration) => services;

    public static void MapAssets(this WebApplication app)
    {
    }
}
