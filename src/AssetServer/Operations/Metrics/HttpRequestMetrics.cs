using System.Collections.Frozen;
using System.Diagnostics;
using Prometheus;

namespace AssetServer.Metrics;

/// <summary>
/// prometheus-net's HTTP series (<c>http_request_duration_seconds</c>, <c>http_requests_received_total</c>,
/// <c>http_requests_in_progress</c>) with label values a client cannot make up. prometheus-net's own middleware labels
/// by the raw request method and lets no custom label take the name <c>method</c>: 5,000 anonymous requests with
/// made-up methods grew <c>/metrics</c> from 215 KB to 13 MB, for good (issue 17). Here the method is one the app
/// routes or <see cref="OtherMethod"/> (ASP.NET Core's and OpenTelemetry's HTTP metrics fold unknown methods the same
/// way), the endpoint is the matched route template or <see cref="Unmatched"/>, and the status is its class.
/// </summary>
public sealed class HttpRequestMetrics
{
    public const string OtherMethod = "_OTHER";

    /// <summary>The endpoint label of a request no route matched (404s, and 405s: routing's rejection is no route).</summary>
    public const string Unmatched = "unmatched";

    /// <summary>
    /// The methods the app maps (SEARCH for <c>/files</c>, OPTIONS for tus and CORS preflights), under their usual
    /// names: routing matches methods case-insensitively, so <c>get</c> is counted as the GET it was answered as.
    /// </summary>
    private static readonly FrozenDictionary<string, string> KnownMethods =
        new[] { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "SEARCH" }
            .ToFrozenDictionary(m => m, m => m, StringComparer.OrdinalIgnoreCase);

    private static readonly string[] StatusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"];

    private readonly Histogram duration;
    private readonly Counter received;
    private readonly Gauge inProgress;

    public HttpRequestMetrics(CollectorRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        // The names, help and buckets prometheus-net's middleware used, so dashboards keep working.
        duration = factory.CreateHistogram("http_request_duration_seconds", "The duration of HTTP requests processed by an ASP.NET Core application.",
            ["code", "method", "endpoint"], new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
        received = factory.CreateCounter("http_requests_received_total", "Provides the count of HTTP requests that have been processed by the ASP.NET Core pipeline.",
            ["code", "method", "endpoint"]);
        inProgress = factory.CreateGauge("http_requests_in_progress", "The number of requests currently in progress in the ASP.NET Core pipeline.",
            ["method", "endpoint"]);
    }

    public static string MethodLabel(string method) => KnownMethods.GetValueOrDefault(method, OtherMethod);

    /// <summary>
    /// The route pattern of the matched endpoint, read when the request arrives: routing has run by then (the host puts
    /// it first), and the exception handler clears the endpoint before an error is written.
    /// </summary>
    public static string EndpointLabel(HttpContext context) =>
        (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? Unmatched;

    /// <summary>The class of the status: six values at most, whatever a handler sets (the app answers none outside 100–599).</summary>
    public static string StatusLabel(int status) => status is >= 100 and < 600 ? StatusClasses[status / 100 - 1] : "other";

    /// <summary>Middleware: measures each request with the status it was finally answered.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var method = MethodLabel(context.Request.Method);
        var endpoint = EndpointLabel(context);
        var started = Stopwatch.GetTimestamp();
        using (inProgress.WithLabels(method, endpoint).TrackInProgress())
        {
            try
            {
                await next(context);
            }
            finally
            {
                var code = StatusLabel(context.Response.StatusCode);
                duration.WithLabels(code, method, endpoint).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
                received.WithLabels(code, method, endpoint).Inc();
            }
        }
    }
}
