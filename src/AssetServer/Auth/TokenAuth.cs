using AssetServer.Errors;

namespace AssetServer.Auth;

/// <summary>What a caller may do.</summary>
public enum Access { Read, Write }

/// <summary>Who is calling: null when no token was sent.</summary>
public sealed record Caller(string Name, bool CanRead, bool CanWrite);

/// <summary>Reads the bearer token (header or <c>?access_token=</c>) and decides who is calling.</summary>
public sealed class TokenAuth(AdminToken admin)
{
    private static readonly object CallerKey = new();

    /// <summary>The caller, or null without a token; a token that matches nothing is a 401, as Directus answers.</summary>
    public Caller? Authenticate(HttpContext context)
    {
        if (context.Items.TryGetValue(CallerKey, out var cached)) return (Caller?)cached;
        var token = ReadToken(context.Request);
        Caller? caller = null;
        if (token is not null)
        {
            if (!admin.Matches(token)) throw ApiErrors.InvalidCredentials();
            caller = new Caller("admin", true, true);
        }
        context.Items[CallerKey] = caller;
        return caller;
    }

    public void Require(HttpContext context, Access access)
    {
        var caller = Authenticate(context) ?? throw ApiErrors.ForbiddenCollection();
        var allowed = access == Access.Read ? caller.CanRead : caller.CanWrite;
        if (!allowed) throw ApiErrors.Forbidden();
    }

    private static string? ReadToken(HttpRequest request)
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
