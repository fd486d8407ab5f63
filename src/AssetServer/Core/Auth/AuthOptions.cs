namespace AssetServer.Auth;

/// <summary>The <c>Auth</c> section.</summary>
public sealed class AuthOptions
{
    /// <summary>The admin bearer token. Unset: one is created on first start and kept in <c>&lt;data&gt;/admin-token</c> (mode 0600).</summary>
    public string? AdminToken { get; set; }

    /// <summary>Whether <c>GET /assets</c> works without a token.</summary>
    public bool PublicAssets { get; set; } = true;
}
