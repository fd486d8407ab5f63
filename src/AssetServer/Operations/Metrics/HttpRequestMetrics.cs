using System.Collections.Concurrent;
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

    /// <summary>Each method label's place in an endpoint's <see cref="Series"/> array (<see cref="OtherMethod"/> last).</summary>
    private static readonly FrozenDictionary<string, int> MethodIndex =
        KnownMethods.Values.Distinct().Select((m, i) => (m, i)).ToFrozenDictionary(p => p.m, p => p.i, StringComparer.OrdinalIgnoreCase);

    private static readonly string[] MethodLabels = [.. MethodIndex.OrderBy(p => p.Value).Select(p => p.Key), OtherMethod];

    private readonly Histogram duration;
    private readonly Counter received;
    private readonly Gauge inProgress;

    /// <summary>
    /// The series of each endpoint and method, resolved once: <c>WithLabels</c> hashes its label values on every call,
    /// three calls a request (issue 17). Keyed by the endpoint object, which routing reuses for every request it matches.
    /// </summary>
    private readonly ConcurrentDictionary<Endpoint, Series[]> byEndpoint = new(ReferenceEqualityComparer.Instance);
    private readonly Series[] unmatched;

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
        unmatched = SeriesFor(Unmatched);
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
        var series = Find(context);
        var started = Stopwatch.GetTimestamp();
        series.InProgress.Inc();
        try
        {
            await next(context);
        }
        finally
        {
            series.InProgress.Dec();
            series.Done(context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    /// <summary>The series of this request's method and endpoint (<see cref="EndpointLabel"/>: read when it arrives).</summary>
    private Series Find(HttpContext context)
    {
        var perMethod = context.GetEndpoint() is RouteEndpoint endpoint
            ? byEndpoint.GetOrAdd(endpoint, static (e, self) => self.SeriesFor(((RouteEndpoint)e).RoutePattern.RawText ?? Unmatched), this)
            : unmatched;
        return perMethod[MethodIndex.TryGetValue(context.Request.Method, out var index) ? index : MethodLabels.Length - 1];
    }

    private Series[] SeriesFor(string endpoint) => [.. MethodLabels.Select(method => new Series(this, method, endpoint))];

    /// <summary>One method and endpoint: the in-progress gauge, and per status class the duration and the count (made on first use).</summary>
    private sealed class Series(HttpRequestMetrics owner, string method, string endpoint)
    {
        private readonly StatusSeries?[] byStatus = new StatusSeries?[StatusClasses.Length + 1];

        public Gauge.Child InProgress { get; } = owner.inProgress.WithLabels(method, endpoint);

        public void Done(int status, double seconds)
        {
            var slot = status is >= 100 and < 600 ? status / 100 - 1 : StatusClasses.Length;
            // Two threads may both resolve a new slot: WithLabels hands both the same children.
            var children = byStatus[slot] ??= Resolve(StatusLabel(status));
            children.Duration.Observe(seconds);
            children.Received.Inc();
        }

        private StatusSeries Resolve(string code) =>
            new(owner.duration.WithLabels(code, method, endpoint), owner.received.WithLabels(code, method, endpoint));
    }

    /// <summary>A class, so a slot is written whole (a struct pair could be read half-written by another thread).</summary>
    private sealed record StatusSeries(Histogram.Child Duration, Counter.Child Received);
}
