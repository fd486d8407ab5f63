namespace AssetServer.RateLimiting;

/// <summary>The <c>RateLimits</c> section: per-client budgets for the expensive requests. 0 turns a limit off.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Files whose bytes a client writes per minute (uploads, replaces, imports, reverts), charged in the upload path.</summary>
    public int UploadsPerMinute { get; set; } = 60;

    /// <summary>Renders per client per minute, charged by the asset store on a miss; cache hits cost nothing.</summary>
    public int TransformsPerMinute { get; set; } = 600;

    /// <summary>
    /// Megabytes (MiB) of originals a client reads per minute, charged where originals are sent: <c>/assets</c> and
    /// every dialect's original route (the bytes a range asks for), and zip downloads (every entry, before the first
    /// byte). One read larger than the whole budget waits for a full bucket and takes it all.
    /// </summary>
    public int OriginalMegabytesPerMinute { get; set; }

    /// <summary>Requests per client address per minute that carry a token matching nothing, on any route; past it 429.</summary>
    public int InvalidTokensPerMinute { get; set; } = 60;

    /// <summary>Whether the admin token is exempt (trusted automation such as bulk imports).</summary>
    public bool ExemptAdmin { get; set; } = true;
}
