using System.Globalization;
using System.Threading.RateLimiting;
using AssetServer.Auth;
using AssetServer.Errors;
using AssetServer.Transforms;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AssetServer.RateLimiting;

/// <summary>
/// Per-client token buckets (ASP.NET Core's rate limiter) as endpoint policies: <see cref="Uploads"/> on uploads,
/// replaces and imports, <see cref="Transforms"/> on <c>/assets</c>. The limiter runs after authentication and before
/// authorization, so a client is its verified token; until a token is verified (without one, or with one that matches
/// nothing) it is its IP address: made-up tokens never buy fresh budgets. A global limiter also bounds, per address,
/// the requests that carry a token matching nothing. Past a budget: 429 <c>REQUESTS_EXCEEDED</c> with <c>Retry-After</c>.
/// </summary>
public static class RateLimitSetup
{
    public const string Uploads = "uploads";
    public const string Transforms = "transforms";

    public static IServiceCollection AddAssetServerRateLimits(this IServiceCollection services)
    {
        services.AddOptionsWithValidateOnStart<RateLimitOptions>().BindConfiguration("RateLimits")
            .Validate(o => o.UploadsPerMinute >= 0 && o.TransformsPerMinute >= 0 && o.InvalidTokensPerMinute >= 0,
                "RateLimits values must be 0 (off) or more.");
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                Partition(context, "invalid-tokens", TokenAuthenticationHandler.SentInvalidToken(context), o => o.InvalidTokensPerMinute));
            limiter.AddPolicy(Uploads, context => Partition(context, Uploads, IsUpload(context.Request), o => o.UploadsPerMinute));
            limiter.AddPolicy(Transforms, context =>
            {
                // A dialect whose asset route names its parameters otherwise (v8's w/h/f/q) says which ask for a render.
                var asks = context.GetEndpoint()?.Metadata.GetMetadata<TransformQuery>()?.AsksForTransform ?? TransformParameters.AsksForTransform;
                return Partition(context, Transforms, asks(context.Request.Query), o => o.TransformsPerMinute);
            });
            limiter.OnRejected = async (rejected, _) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? (int)Math.Ceiling(wait.TotalSeconds) : 10;
                var error = new ApiException(429, "REQUESTS_EXCEEDED", $"Too many requests, retry after {retryAfter}s.")
                {
                    Headers = new Dictionary<string, string> { ["Retry-After"] = retryAfter.ToString(CultureInfo.InvariantCulture) },
                };
                await ErrorWriter.WriteAsync(rejected.HttpContext, error);
            };
        });
        return services;
    }

    /// <summary>A multipart PATCH replaces the bytes and counts as an upload; a JSON PATCH only edits fields.</summary>
    private static bool IsUpload(HttpRequest request) =>
        !HttpMethods.IsPatch(request.Method) || request.ContentType?.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) == true;

    private static RateLimitPartition<string> Partition(HttpContext context, string kind, bool applies, Func<RateLimitOptions, int> budget)
    {
        var limits = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        var perMinute = budget(limits);
        var caller = context.Caller();
        if (!applies || perMinute <= 0 || caller is { IsAdmin: true } && limits.ExemptAdmin) return RateLimitPartition.GetNoLimiter("none");
        var client = caller is not null ? "token:" + caller.Id : "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        return RateLimitPartition.GetTokenBucketLimiter($"{kind}:{client}", _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = Math.Max(1, perMinute / 6),
            ReplenishmentPeriod = TimeSpan.FromSeconds(10),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }
}

/// <summary>Endpoint metadata: which queries of this route ask for a render (counted by the transforms budget).</summary>
public sealed record TransformQuery(Func<IQueryCollection, bool> AsksForTransform);
