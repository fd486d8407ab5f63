using AssetServer.Auth;
using Microsoft.Extensions.Options;
using Prometheus;

namespace AssetServer.Metrics;

public static class MetricsSetup
{
    /// <summary>
    /// HTTP durations, counts and requests in flight by route template, known method and status class, in the app's
    /// registry (<see cref="HttpRequestMetrics"/>: no label value comes from client text).
    /// </summary>
    public static void UseAssetServerMetrics(this WebApplication app)
    {
        var http = new HttpRequestMetrics(app.Services.GetRequiredService<AssetMetrics>().Registry);
        app.Use(http.InvokeAsync);
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
