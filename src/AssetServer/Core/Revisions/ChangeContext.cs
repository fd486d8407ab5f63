using AssetServer.Auth;

namespace AssetServer.Revisions;

/// <summary>Who made a change and from where, as the activity log records it.</summary>
public sealed record ChangeActor(string? User, string? Actor, string? Ip, string? UserAgent, string? Origin)
{
    /// <summary>A change with no request behind it (a command run from the shell).</summary>
    public static readonly ChangeActor System = new(null, "system", null, null, null);
}

/// <summary>The actor of the request being served: its token, address, user agent and origin.</summary>
public sealed class ChangeContext(IHttpContextAccessor accessor)
{
    private const int MaxHeaderLength = 512;

    public ChangeActor Current()
    {
        if (accessor.HttpContext is not { } context) return ChangeActor.System;
        var caller = context.Caller();
        return new ChangeActor(
            caller?.Id, caller?.Name, context.Connection.RemoteIpAddress?.ToString(),
            Bounded(context.Request.Headers.UserAgent.ToString()), Bounded(context.Request.Headers.Origin.ToString()));
    }

    private static string? Bounded(string text) => text.Length == 0 ? null : text.Length > MaxHeaderLength ? text[..MaxHeaderLength] : text;
}
