using AssetServer.Storage.S3;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AssetServer.Storage;

/// <summary>Registration of the <c>Storage</c> section: the original store of the configured provider.</summary>
public static class StorageSetup
{
    public static IServiceCollection AddOriginalStore(this IServiceCollection services)
    {
        services.AddOptionsWithValidateOnStart<StorageOptions>().BindConfiguration("Storage")
            .Validate(o => o.IsS3 || string.Equals(o.Provider, StorageOptions.LocalProvider, StringComparison.OrdinalIgnoreCase),
                "Storage:Provider must be \"local\" or \"s3\".")
            .Validate(o => !o.IsS3 || !string.IsNullOrWhiteSpace(o.S3.Bucket), "Storage:S3:Bucket is required when Storage:Provider is s3.")
            .Validate(o => !o.IsS3 || string.IsNullOrEmpty(o.S3.ServiceUrl) || Uri.TryCreate(o.S3.ServiceUrl, UriKind.Absolute, out _),
                "Storage:S3:ServiceUrl must be an absolute URL such as http://127.0.0.1:9000.")
            .Validate(o => Configuration.Durations.TryParse(o.S3.ConnectTimeout, out var t) && t > TimeSpan.Zero,
                "Storage:S3:ConnectTimeout must be a positive duration such as 5s.")
            .Validate(o => Configuration.Durations.TryParse(o.S3.RequestTimeout, out var t) && t > TimeSpan.Zero,
                "Storage:S3:RequestTimeout must be a positive duration such as 10s.")
            .Validate(o => Configuration.Durations.TryParse(o.S3.TransferIdleTimeout, out var t) && t > TimeSpan.Zero,
                "Storage:S3:TransferIdleTimeout must be a positive duration such as 10s.")
            .Validate(o => o.S3.MaxErrorRetry is >= 0 and <= 10, "Storage:S3:MaxErrorRetry must be from 0 to 10.")
            .Validate(o => o.LocalCacheBytes > 0, "Storage:LocalCacheBytes must be a positive number of bytes.");
        // The other providers' (and the cluster's render lock) defaults; a clustered set-up registers its own first.
        services.TryAddSingleton<Cluster.IRenderLock, Cluster.LocalRenderLock>();
        services.AddSingleton<LocalOriginalStore>();
        services.AddSingleton<S3Bucket>();
        services.AddSingleton<StorageIntents>();
        services.AddSingleton<SharedDerivatives>();
        services.AddSingleton(sp => new OriginalCache(
            Path.Combine(sp.GetRequiredService<DataPaths>().Root, "cache", "originals"),
            sp.GetRequiredService<IOptions<StorageOptions>>().Value.LocalCacheBytes / 2));
        services.AddSingleton<S3OriginalStore>();
        // Chosen when first needed, from the bound options (test hosts add their settings after registration).
        services.AddSingleton<IOriginalStore>(sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value.IsS3
            ? sp.GetRequiredService<S3OriginalStore>()
            : sp.GetRequiredService<LocalOriginalStore>());
        return services;
    }
}
