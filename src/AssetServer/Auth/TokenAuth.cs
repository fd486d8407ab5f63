using System.Collections.Concurrent;
using AssetServer.Errors;

namespace AssetServer.Auth;

/// <summary>What a caller may do: read files, write them, or also manage tokens.</summary>
public enum Access { Read, Write, Admin }

/// <summary>Who is calling: null when no token was sent.</summary>
public sealed record Caller(string Name, Access Access)
{
    public bool CanRead => true;
    public bool CanWrite => Access is Access.Write or Access.Admin;
    public bool IsAdmin => Access == Access.Admin;

    public bool Allows(Access needed) => needed switch
    {
        Access.Read => CanRead,
        Access.Write => CanWrite,
        _ => IsAdmin,
    };
}

/// <summary>
/// Reads the bearer token (header or <c>?access_token=</c>) and decides who is calling: the admin token, or a
/// scoped token from the <c>tokens</c> table (kept in memory by hash; a miss looks in the table, so tokens made
/// by the CLI while the server runs work at once).
/// </summary>
public sealed class TokenAuth(AdminToken admin, TokenRepository tokens)
{
    private static readonly object CallerKey = new();
    private readonly ConcurrentDictionary<string, Caller> known = new(StringComparer.Ordinal);

    /// <summary>The caller, or null without a token; a token that matches nothing is a 401, as Directus answers.</summary>
    public Caller? Authenticate(HttpContext context)
    {
        if (context.Items.TryGetValue(CallerKey, out var cached)) return (Caller?)cached;
        var token = ReadToken(context.Request);
        Caller? caller = null;
        if (token is not null)
        {
            caller = admin.Matches(token) ? new Caller("admin", Access.Admin) : FindScoped(token) ?? throw ApiErrors.InvalidCredentials();
        }
        context.Items[CallerKey] = caller;
        return caller;
    }

    public void Require(HttpContext context, Access access)
    {
        var caller = Authenticate(context) ?? throw ApiErrors.ForbiddenCollection();
        if (!caller.Allows(access)) throw ApiErrors.Forbidden();
    }

    public async Task<(TokenRecord Record, string Secret)> CreateAsync(string name, Access access, CancellationToken ct)
    {
        var created = await tokens.CreateAsync(name, access.ToString().ToLowerInvariant(), ct);
        known[TokenRepository.Hash(created.Secret)] = new Caller(name, access);
        return created;
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken ct)
    {
        var deleted = await tokens.DeleteAsync(id, ct);
        // Drop the whole memory: it is keyed by hash, not id, and refills from the table on the next use.
        known.Clear();
        return deleted;
    }

    private Caller? FindScoped(string token)
    {
        var hash = TokenRepository.Hash(token);
        if (known.TryGetValue(hash, out var caller)) return caller;
        var record = tokens.FindBySecret(token);
        if (record is null || !Enum.TryParse<Access>(record.Access, ignoreCase: true, out var access)) return null;
        return known[hash] = new Caller(record.Name, access);
    }

    /// <summary>The bearer token from the Authorization header, else from <c>?access_token=</c>; null when neither.</summary>
    public static string? ReadToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var value = header["Bearer ".Length..].Trim();
            return value.Length == 0 ? null : value;
        }
        var query = request.Query["access_token"].ToString();
        return query.Length == 0 ? null : query;
    }
}

/// <summary><c>.RequireAccess(Access.Write)</c> on an endpoint: checked before the handler runs.</summary>
public static class AccessEndpointExtensions
{
    public static TBuilder RequireAccess<TBuilder>(this TBuilder builder, Access access) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (ctx, next) =>
        {
            ctx.HttpContext.RequestServices.GetRequiredService<TokenAuth>().Require(ctx.HttpContext, access);
            return await next(ctx);
        });
}
