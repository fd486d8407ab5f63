using AssetServer.Caching;
using Microsoft.Extensions.Options;

namespace AssetServer.Auth;

/// <summary>
/// Turns a bearer token into a <see cref="Caller"/>: the admin token, or a scoped one from the <c>tokens</c> table.
/// Answers (known and unknown tokens alike) are kept tagged with the <see cref="Data.DataVersion"/> read before the
/// look-up, and trusted only while it is unchanged and for <see cref="Freshness"/> at most: a token revoked by any
/// process or node on the same database (the API, the <c>tokens delete</c> command, another node) moves the version
/// with its commit, so it is refused from the next request on. A repeated unknown token costs no query meanwhile.
/// Answers are bounded by <c>Caching:TokenBytes</c> (least recently used out first), so a flood of random tokens
/// stays bounded.
/// </summary>
public sealed class TokenVerifier(
    AdminToken admin, TokenRepository tokens, Data.DataVersion dataVersion, TimeProvider time, IOptions<CachingOptions> caching)
{
    /// <summary>The longest an answer is trusted even while nothing was committed.</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromMilliseconds(500);

    /// <summary>What an answer holds besides the caller's texts: its records and the expiry.</summary>
    private const long AnswerOverhead = 96;

    private readonly VersionedCache<(long Era, long Version), Remembered> remembered = new(caching.Value.TokenBytes);

    public async ValueTask<Caller?> VerifyAsync(string token, CancellationToken ct)
    {
        if (admin.Matches(token)) return Caller.Admin;
        var hash = TokenRepository.Hash(token);
        var now = time.GetUtcNow();
        var version = await dataVersion.ReadAsync(ct);
        if (remembered.TryGet(hash, version, out var known) && known.Until > now) return known.Caller;

        var record = await tokens.FindByHashAsync(hash, ct);
        var caller = record is not null && Enum.TryParse<Access>(record.Access, ignoreCase: true, out var access)
            ? new Caller(record.Id, record.Name, access)
            : null;
        remembered.Add(hash, version, new Remembered(caller, now + Freshness), AnswerOverhead + ApproximateSize.Of(caller?.Id, caller?.Name));
        return caller;
    }

    private sealed record Remembered(Caller? Caller, DateTimeOffset Until);
}
