using AssetServer.Configuration;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace AssetServer.Cors;

/// <summary>
/// ASP.NET Core's CORS middleware with one policy built from <see cref="CorsSettings"/>, as Directus applies the
/// <c>cors</c> package to every route when <c>CORS_ENABLED</c> is true.
/// </summary>
public static class CorsSetup
{
    public const string PolicyName = "assetserver";

    public static IServiceCollection AddAssetServerCors(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IValidateOptions<CorsSettings>, CorsSettingsValidator>();
        services.AddOptionsWithValidateOnStart<CorsSettings>().BindConfiguration("Cors")
            .PostConfigure(o =>
            {
                // The binder appends indexed keys to a default list instead of replacing it, and an environment
                // variable usually gives one comma list: the configured list, read as given, wins.
                o.Origins = ConfiguredList(configuration, "Cors:Origins") ?? o.Origins;
                o.Methods = ConfiguredList(configuration, "Cors:Methods") ?? o.Methods;
                o.AllowedHeaders = ConfiguredList(configuration, "Cors:AllowedHeaders") ?? o.AllowedHeaders;
                o.ExposedHeaders = ConfiguredList(configuration, "Cors:ExposedHeaders") ?? o.ExposedHeaders;
            });
        services.AddCors();
        services.AddOptions<CorsOptions>()
            .Configure<IOptions<CorsSettings>>((cors, settings) => cors.AddPolicy(PolicyName, BuildPolicy(settings.Value)));
        return services;
    }

    /// <summary>
    /// First in the pipeline, when enabled: a preflight is answered (204) before the error pages, the token check, the
    /// rate limiter and the fallback policy see it, and every later answer, errors in the error shape included, gets its
    /// headers when it starts (the middleware adds them on response start, after the exception handler cleared it).
    /// </summary>
    public static void UseAssetServerCors(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<CorsSettings>>().Value.Enabled) return;
        // Whether the headers come depends on the request's Origin, also for requests without one (which the middleware
        // leaves alone) and for a single listed origin (where it sends no Vary): a shared cache must key every answer
        // on Origin (Fetch standard, "CORS protocol and HTTP caches"), or an asset cached for one caller is refused to
        // another. Registered first, so this callback runs last and sees the middleware's own Vary.
        app.Use((context, next) =>
        {
            context.Response.OnStarting(static state => AddVaryOrigin((HttpResponse)state), context.Response);
            return next(context);
        });
        app.UseCors(PolicyName);
    }

    private static Task AddVaryOrigin(HttpResponse response)
    {
        var varies = response.Headers.Vary.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries));
        if (!varies.Contains("Origin", StringComparer.OrdinalIgnoreCase) && !varies.Contains("*")) response.Headers.Append(HeaderNames.Vary, "Origin");
        return Task.CompletedTask;
    }

    public static bool IsAnyOrigin(string origin) => origin == "*";

    /// <summary>Directus's <c>CORS_ORIGIN=true</c>: the request's own origin is sent back.</summary>
    public static bool IsReflectOrigin(string origin) => string.Equals(origin, "true", StringComparison.OrdinalIgnoreCase);

    private static CorsPolicy BuildPolicy(CorsSettings settings)
    {
        var policy = new CorsPolicyBuilder();
        if (settings.Origins is [var any] && IsAnyOrigin(any)) policy.AllowAnyOrigin();
        else if (settings.Origins is [var reflect] && IsReflectOrigin(reflect)) policy.SetIsOriginAllowed(_ => true);
        else policy.WithOrigins(settings.Origins);
        if (settings.Methods.Contains("*")) policy.AllowAnyMethod();
        else policy.WithMethods(settings.Methods);
        if (settings.AllowedHeaders.Contains("*")) policy.AllowAnyHeader();
        else policy.WithHeaders(settings.AllowedHeaders);
        policy.WithExposedHeaders(settings.ExposedHeaders);
        if (settings.Credentials) policy.AllowCredentials();
        return policy.SetPreflightMaxAge(TimeSpan.FromSeconds(settings.MaxAge)).Build();
    }

    /// <summary>A list key's value: one comma list, else indexed entries; null when neither is set.</summary>
    private static string[]? ConfiguredList(IConfiguration configuration, string key)
    {
        var section = configuration.GetSection(key);
        // An empty JSON array reads as an empty value, which must not hide indexed entries from a later source.
        if (ServiceSetup.CommaList(section.Value) is { } list) return list;
        var entries = section.GetChildren().Select(c => c.Value?.Trim()).OfType<string>().Where(v => v.Length > 0).ToArray();
        return entries.Length > 0 ? entries : null;
    }
}
