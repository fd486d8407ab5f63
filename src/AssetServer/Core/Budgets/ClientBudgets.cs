using System.Globalization;
using System.Threading.RateLimiting;
using AssetServer.Auth;
using AssetServer.Errors;
using AssetServer.RateLimiting;
using Microsoft.Extensions.Options;

namespace AssetServer.Budgets;

/// <summary>Who a budget is charged to: a verified token, else the address. A null key is never limited.</summary>
public readonly record struct BudgetClient(string? Key)
{
    /// <summary>Work with no request behind it (background renders, shell commands), or the exempt admin.</summary>
    public static readonly BudgetClient Unlimited = new(null);
}

/// <summary>
/// Per-client budgets charged where the work is done, whatever route or dialect asked for it: a render when the store
/// really renders (a cache hit costs nothing), an upload when the upload path stages bytes (multipart, v8's JSON
/// <c>data</c>, imports, GraphQL's <c>import_file</c>, both Strapi APIs), originals' bytes where they are sent (an
/// asset route or a zip). Token buckets per client, refilled every
/// 10 s, from ASP.NET Core's rate-limiting primitives. Past a budget: 429 <c>REQUESTS_EXCEEDED</c> with
/// <c>Retry-After</c>. The client is the request's verified token, else its address, so made-up tokens buy no fresh
/// budget (they are refused before); work with no request behind it is not charged.
/// </summary>
public sealed class ClientBudgets : IDisposable
{
    private readonly IHttpContextAccessor accessor;
    private readonly RateLimitOptions limits;
    private readonly PartitionedRateLimiter<string> renders;
    private readonly PartitionedRateLimiter<string> uploads;
    private readonly PartitionedRateLimiter<string> reads;

    /// <summary>The read budget counts KiB in an <see cref="int"/> bucket: this many MiB a minute fit.</summary>
    public const int MaxOriginalMegabytesPerMinute = 2_000_000;

    public ClientBudgets(IHttpContextAccessor accessor, IOptions<RateLimitOptions> options)
    {
        this.accessor = accessor;
        limits = options.Value;
        renders = Buckets(limits.TransformsPerMinute);
        uploads = Buckets(limits.UploadsPerMinute);
        reads = Buckets(ReadKibPerMinute);
    }

    private int ReadKibPerMinute => limits.OriginalMegabytesPerMinute * 1024;

    /// <summary>The client of the request being served (ambient), or <see cref="BudgetClient.Unlimited"/>.</summary>
    public BudgetClient Current()
    {
        if (accessor.HttpContext is not { } context) return BudgetClient.Unlimited;
        var caller = context.Caller();
        if (caller is { IsAdmin: true } && limits.ExemptAdmin) return BudgetClient.Unlimited;
        return new BudgetClient(caller is not null ? "token:" + caller.Id : "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown"));
    }

    /// <summary>One render for <paramref name="client"/> (taken when the request arrived: a render runs in a shared flight).</summary>
    public void ChargeRender(BudgetClient client) => Charge(renders, limits.TransformsPerMinute, client);

    /// <summary>One file's bytes written for the current request's client.</summary>
    public void ChargeUpload() => Charge(uploads, limits.UploadsPerMinute, Current());

    /// <summary>
    /// <paramref name="bytes"/> of originals about to be sent to the current request's client, in KiB rounded up; a
    /// read larger than the whole bucket costs the whole bucket (it can go once the bucket is full, never more often).
    /// </summary>
    public void ChargeOriginalBytes(long bytes)
    {
        if (bytes <= 0) return;
        var kib = (int)Math.Min((bytes + 1023) / 1024, Math.Max(1, ReadKibPerMinute));
        Charge(reads, ReadKibPerMinute, Current(), kib);
    }

    private static void Charge(PartitionedRateLimiter<string> buckets, int perMinute, BudgetClient client, int permits = 1)
    {
        if (perMinute <= 0 || client.Key is not { } key) return;
        using var lease = buckets.AttemptAcquire(key, permits);
        if (!lease.IsAcquired) throw Exceeded(lease);
    }

    /// <summary>The 429 every budget answers, with the wait the refused lease names.</summary>
    public static ApiException Exceeded(RateLimitLease lease)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? (int)Math.Ceiling(wait.TotalSeconds) : 10;
        return new ApiException(429, "REQUESTS_EXCEEDED", $"Too many requests, retry after {retryAfter}s.")
        {
            Headers = new Dictionary<string, string> { ["Retry-After"] = retryAfter.ToString(CultureInfo.InvariantCulture) },
        };
    }

    /// <summary>Every budget's bucket: <paramref name="perMinute"/> at once, refilled a sixth every 10 s, no queue.</summary>
    public static TokenBucketRateLimiterOptions PerMinute(int perMinute) => new()
    {
        TokenLimit = Math.Max(1, perMinute),
        TokensPerPeriod = Math.Max(1, perMinute / 6),
        ReplenishmentPeriod = TimeSpan.FromSeconds(10),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private static PartitionedRateLimiter<string> Buckets(int perMinute) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => PerMinute(perMinute)));

    public void Dispose()
    {
        renders.Dispose();
        uploads.Dispose();
        reads.Dispose();
    }
}
