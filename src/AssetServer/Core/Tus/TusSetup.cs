using Microsoft.Extensions.Options;

namespace AssetServer.Tus;

/// <summary>Registration of the <c>Tus</c> section and the resumable upload services.</summary>
public static class TusSetup
{
    public static IServiceCollection AddTus(this IServiceCollection services)
    {
        services.AddOptionsWithValidateOnStart<TusOptions>().BindConfiguration("Tus")
            .Validate(o => Configuration.Durations.TryParse(o.UploadExpiration, out var t) && t > TimeSpan.Zero,
                "Tus:UploadExpiration must be a positive duration such as 10m.")
            .Validate(o => Configuration.Durations.TryParse(o.SweepInterval, out var t) && t > TimeSpan.Zero,
                "Tus:SweepInterval must be a positive duration such as 1m.");
        services.AddSingleton<TusRepository>();
        services.AddSingleton<TusUploadLock>();
        services.AddSingleton<LocalTusBytes>();
        services.AddSingleton<S3TusBytes>();
        // As the original store: chosen from the bound options when first needed.
        services.AddSingleton<ITusBytes>(sp => sp.GetRequiredService<IOptions<Storage.StorageOptions>>().Value.IsS3
            ? sp.GetRequiredService<S3TusBytes>()
            : sp.GetRequiredService<LocalTusBytes>());
        services.AddSingleton<TusService>();
        services.AddSingleton<TusSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<TusSweeper>());
        return services;
    }
}
