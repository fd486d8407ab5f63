using System.Security.Cryptography;
using System.Text;
using AssetServer.Errors;
using AssetServer.Transforms;
using Microsoft.Extensions.Options;

namespace AssetServer.Assets;

/// <summary>
/// (ext) Signed transform URLs: <c>s</c> is an HMAC-SHA256, under <c>Assets:SigningKey</c>, of the file id and the
/// transform parameters in a canonical order (sorted by name, values percent-encoded), so parameter order and
/// other parameters (<c>access_token</c>, <c>download</c>) do not matter, and the file-name segment is free.
/// </summary>
public sealed class AssetSigner(IOptions<AssetsOptions> options)
{
    public const string Parameter = "s";

    public bool Enabled => !string.IsNullOrEmpty(options.Value.SigningKey);

    /// <summary>Refuses a transform request whose signature is missing or wrong (403, as for anything not allowed).</summary>
    public void Verify(string fileId, IQueryCollection query)
    {
        if (!Enabled) return;
        var transform = TransformParameters.Only(query);
        if (options.Value.OpenPresets && transform.Count == 1 && transform.ContainsKey("key")) return;
        var given = Encoding.ASCII.GetBytes(query[Parameter].ToString());
        var expected = Encoding.ASCII.GetBytes(Sign(fileId, transform));
        if (!CryptographicOperations.FixedTimeEquals(given, expected))
            throw new ApiException(403, "FORBIDDEN", "This transformation needs a valid signature (parameter \"s\").");
    }

    public string Sign(string fileId, IQueryCollection transform)
    {
        var canonical = new StringBuilder(fileId);
        foreach (var (key, values) in transform.OrderBy(p => p.Key.ToLowerInvariant(), StringComparer.Ordinal))
            foreach (var value in values)
                canonical.Append('\n').Append(key.ToLowerInvariant()).Append('=').Append(Uri.EscapeDataString(value ?? ""));
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(options.Value.SigningKey));
        var mac = hmac.ComputeHash(Encoding.UTF8.GetBytes(canonical.ToString()));
        return System.Buffers.Text.Base64Url.EncodeToString(mac);
    }

    /// <summary>Adds <c>s=</c> to the query of an asset URL (absolute or <c>/assets/&lt;id&gt;[/name]?…[#…]</c>).</summary>
    public string SignUrl(string url)
    {
        if (!Enabled) throw ApiErrors.InvalidPayload("Assets:SigningKey is not set, so URLs are not signed");
        var uri = new Uri(new Uri("http://placeholder"), url);
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var fileId = segments is ["assets", var id, ..] ? AssetResolver.ParseId(id) : null;
        if (fileId is null) throw ApiErrors.InvalidPayload("\"url\" must be an /assets/<id> URL");
        var query = new QueryCollection(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query));
        if (query.ContainsKey(Parameter)) throw ApiErrors.InvalidPayload("\"url\" is already signed");
        var signature = Sign(fileId, TransformParameters.Only(query));
        // The parameter goes before any fragment: browsers never send what follows '#' (RFC 3986 §3.5).
        var hash = url.IndexOf('#');
        var (head, fragment) = hash >= 0 ? (url[..hash], url[hash..]) : (url, "");
        var separator = !head.Contains('?') ? "?" : head.EndsWith('?') || head.EndsWith('&') ? "" : "&";
        return head + separator + Parameter + "=" + signature + fragment;
    }
}
