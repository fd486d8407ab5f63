using System.Security.Claims;

namespace AssetServer.Auth;

/// <summary>What a caller may do: read files, write them, or also manage tokens.</summary>
public enum Access { Read, Write, Admin }

/// <summary>A verified caller: the admin, or a scoped token (its id, name and access).</summary>
public sealed record Caller(string Id, string Name, Access Access)
{
    public const string AccessClaim = "access";

    public static readonly Caller Admin = new("admin", "admin", Access.Admin);

    public bool CanWrite => Access is Access.Write or Access.Admin;
    public bool IsAdmin => Access == Access.Admin;

    public bool Allows(Access needed) => needed switch
    {
        Access.Read => true,
        Access.Write => CanWrite,
        _ => IsAdmin,
    };

    public ClaimsPrincipal ToPrincipal(string scheme) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.NameIdentifier, Id),
        new Claim(ClaimTypes.Name, Name),
        new Claim(AccessClaim, Access.ToString().ToLowerInvariant()),
    ], scheme));

    /// <summary>The caller a principal was made from; null when unauthenticated.</summary>
    public static Caller? From(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true &&
        Enum.TryParse<Access>(user.FindFirstValue(AccessClaim), ignoreCase: true, out var access)
            ? new Caller(user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", user.Identity.Name ?? "", access)
            : null;
}

public static class CallerExtensions
{
    /// <summary>The verified caller of this request, or null without a token.</summary>
    public static Caller? Caller(this HttpContext context) => Auth.Caller.From(context.User);
}
