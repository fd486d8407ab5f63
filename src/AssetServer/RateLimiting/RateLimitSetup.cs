using System.Globalization;
using System.Threading.RateLimiting;
using AssetServer.Auth;
using AssetServer.Errors;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AssetServer.RateLimiting;

/// <summary>
/// Per-client token buckets (ASP.NET Core's rate limiter) for uploads and transforms. A client is its token
/// (hashed) when it sends one, else its IP address. Past the budget: 429 <c>REQUESTS_EXCEEDED</c> with <c>Retry-After</c>.
/// </summary>
public static class RateLimitSetup
{
    public static IServiceCollection AddAssetServerRateLimits(this IServiceCollection services)
    {
        services.AddOptionsWithValidateOnStart<RateLimitOptions>().BindConfiguration("RateLimits")
            .Validate(o => o.UploadsPerMinute >= 0 && o.TransformsPerMinute >= 0, "RateLimits values must be 0 (off) or more.");
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>, AdminToken>((limiter, options, admin) =>
        {
            var limits = options.Value;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var (kind, perMinute) = Classify(context.Request, limits);
                var client = kind is null || perMinute <= 0 ? null : ClientKey(context, limits, admin);
                if (client is null) return RateLimitPartition.GetNoLimiter("none");
                return RateLimitPartition.GetTokenBucketLimiter($"{kind}:{client}", _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = perMinute,
                    TokensPerPeriod = Math.Max(1, perMinute / 6),
                    ReplenishmentPeriod = TimeSpan.FromSeconds(10),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
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

    private static (string? Kind, int PerMinute) Classify(HttpRequest request, RateLimitOptions limits)
    {
        var path = request.Path.Value ?? "";
        if (HttpMethods.IsPost(request.Method) && (path is "/files" or "/files/" || path.StartsWith("/files/import", StringComparison.Ordinal)))
            return ("uploads", limits.UploadsPerMinute);
        if (HttpMethods.IsPatch(request.Method) && path.StartsWith("/files/", StringComparison.Ordinal) &&
            request.ContentType?.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) == true)
            return ("uploads", limits.UploadsPerMinute);
        if ((HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) &&
            path.StartsWith("/assets/", StringComparison.Ordinal) && Transforms.TransformParameters.AsksForTransform(request.Query))
            return ("transforms", limits.TransformsPerMinute);
        return (null, 0);
    }

    /// <summary>The token's hash when one is sent (null for the exempt admin), else the remote address.</summary>
    private static string? ClientKey(HttpContext context, RateLimitOptions limits, AdminToken admin)
    {
        if (TokenAuth.ReadToken(context.Request) is { } token)
        {
            if (limits.ExemptAdmin && admin.Matches(token)) return null;
            return "t:" + TokenRepository.Hash(token)[..16];
        }
        return "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
    }
}
