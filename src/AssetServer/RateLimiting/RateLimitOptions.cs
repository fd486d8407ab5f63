namespace AssetServer.RateLimiting;

/// <summary>The <c>RateLimits</c> section: per-client budgets for the expensive requests. 0 turns a limit off.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Uploads, replaces and imports per client per minute.</summary>
    public int UploadsPerMinute { get; set; } = 60;

    /// <summary><c>/assets</c> requests with transform parameters per client per minute (cached ones count too: the check comes first).</summary>
    public int TransformsPerMinute { get; set; } = 600;

    /// <summary>Requests per client address per minute that carry a token matching nothing, on any route; past it 429.</summary>
    public int InvalidTokensPerMinute { get; set; } = 60;

    /// <summary>Whether the admin token is exempt (trusted automation such as bulk imports).</summary>
    public bool ExemptAdmin { get; set; } = true;
}
