namespace AssetServer.Auth;

/// <summary>
/// Turns a bearer token into a <see cref="Caller"/>: the admin token, or a scoped one from the <c>tokens</c> table.
/// Answers (known and unknown tokens alike) are kept for <see cref="Freshness"/> only, so a token revoked by any
/// process on the same database (the API, the <c>tokens delete</c> command, another node) is refused within it.
/// The look-up is asynchronous and a repeated unknown token costs no query within the window.
/// </summary>
public sealed class TokenVerifier(AdminToken admin, TokenRepository tokens, TimeProvider time)
{
    /// <summary>How long an answer is trusted; the bound for revocation is one second.</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromMilliseconds(500);

    /// <summary>Tokens remembered at most (least recently used out first), so a flood of random ones stays bounded.</summary>
    private const int MaxRemembered = 10_000;

    private Caching.LruIndex<Remembered> remembered = new(long.MaxValue, MaxRemembered);

    public async ValueTask<Caller?> VerifyAsync(string token, CancellationToken ct)
    {
        if (admin.Matches(token)) return Caller.Admin;
        var hash = TokenRepository.Hash(token);
        var now = time.GetUtcNow();
        if (remembered.TryGet(hash, out var known) && known.Until > now) return known.Caller;

        var record = await tokens.FindByHashAsync(hash, ct);
        var caller = record is not null && Enum.TryParse<Access>(record.Access, ignoreCase: true, out var access)
            ? new Caller(record.Id, record.Name, access)
            : null;
        remembered.Add(hash, "", new Remembered(caller, now + Freshness), 1);
        return caller;
    }

    /// <summary>
    /// After a revocation in this process: nothing remembered now survives it. A look-up that began before the
    /// revocation may still store its answer, which then lives at most <see cref="Freshness"/>.
    /// </summary>
    public void Forget() => Volatile.Write(ref remembered, new Caching.LruIndex<Remembered>(long.MaxValue, MaxRemembered));

    private sealed record Remembered(Caller? Caller, DateTimeOffset Until);
}
