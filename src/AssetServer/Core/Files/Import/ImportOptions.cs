namespace AssetServer.Files.Import;

/// <summary>The <c>Import</c> section: how <c>POST /files/import</c> fetches URLs.</summary>
public sealed class ImportOptions
{
    /// <summary>Allow loopback, private, link-local and other internal targets (SSRF guard off). Only for trusted set-ups and tests.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Largest body fetched, in bytes (default 100 MiB).</summary>
    public long MaxBytes { get; set; } = 100L << 20;

    /// <summary>Time allowed for the whole fetch, redirects included.</summary>
    public string Timeout { get; set; } = "30s";

    /// <summary>Redirects followed, each re-checked against the guard.</summary>
    public int MaxRedirects { get; set; } = 5;
}
