using AssetServer.Auth;
using Microsoft.Extensions.Options;
using Prometheus;

namespace AssetServer.Metrics;

public static class MetricsSetup
{
    /// <summary>
    /// HTTP durations by route template (<c>/files/{id}</c>, never the raw path; unmatched requests share one empty
    /// label) and status class, in the app's registry.
    /// </summary>
    public static void UseAssetServerMetrics(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<AssetMetrics>();
        app.UseHttpMetrics(options =>
        {
            options.SetMetricFactory(Prometheus.Metrics.WithCustomRegistry(metrics.Registry));
            options.ReduceStatusCodeCardinality();
        });
    }

    /// <summary><c>GET /metrics</c> in Prometheus text; a token is needed unless <c>Metrics:Public</c> is true.</summary>
    public static void MapAssetServerMetrics(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<AssetMetrics>();
        var endpoint = app.MapMetrics("/metrics", metrics.Registry);
        if (app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value.Public) endpoint.AllowAnonymous();
        else endpoint.RequireAccess(Access.Read);
    }
}
