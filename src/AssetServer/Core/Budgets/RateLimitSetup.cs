using System.Threading.RateLimiting;
using AssetServer.Auth;
using AssetServer.Errors;
using Microsoft.Extensions.Options;

namespace AssetServer.RateLimiting;

/// <summary>
/// The one budget that belongs at the edge: per address, the requests that carry a token matching nothing (a global
/// ASP.NET Core limiter, so made-up tokens cannot probe for real ones). The budgets for work (renders, uploads) are
/// charged where that work is done, by <see cref="Budgets.ClientBudgets"/>, so no route or dialect can skip them.
/// </summary>
public static class RateLimitSetup
{
    public static IServiceCollection AddAssetServerRateLimits(this IServiceCollection services)
    {
        services.AddOptionsWithValidateOnStart<RateLimitOptions>().BindConfiguration("RateLimits")
            .Validate(o => o.UploadsPerMinute >= 0 && o.TransformsPerMinute >= 0 && o.InvalidTokensPerMinute >= 0 && o.OriginalMegabytesPerMinute >= 0,
                "RateLimits values must be 0 (off) or more.")
            .Validate(o => o.OriginalMegabytesPerMinute <= Budgets.ClientBudgets.MaxOriginalMegabytesPerMinute,
                $"RateLimits:OriginalMegabytesPerMinute must be at most {Budgets.ClientBudgets.MaxOriginalMegabytesPerMinute}.");
        services.AddSingleton<Budgets.ClientBudgets>();
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var perMinute = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.InvalidTokensPerMinute;
                if (perMinute <= 0 || !TokenAuthenticationHandler.SentInvalidToken(context)) return RateLimitPartition.GetNoLimiter("none");
                return RateLimitPartition.GetTokenBucketLimiter("invalid-tokens:ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown"),
                    _ => Budgets.ClientBudgets.PerMinute(perMinute));
            });
            limiter.OnRejected = (rejected, _) => new ValueTask(ErrorWriter.WriteAsync(rejected.HttpContext, Budgets.ClientBudgets.Exceeded(rejected.Lease)));
        });
        return services;
    }
}
