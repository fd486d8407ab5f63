using System.Text.Encodings.Web;
using AssetServer.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace AssetServer.Auth;

/// <summary>
/// Bearer tokens (the <c>Authorization</c> header, else <c>?access_token=</c>) as an ASP.NET Core authentication
/// scheme, and one authorization policy per <see cref="Access"/> level. As Directus answers: a token that matches
/// nothing is a 401 <c>INVALID_CREDENTIALS</c> on every route, public ones included; no token where one is needed
/// is a 403; a token with too little access is a 403.
/// </summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, TokenVerifier verifier)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Token";

    private static readonly object FailedKey = new();

    /// <summary>True when the request carried a token that matches nothing.</summary>
    public static bool SentInvalidToken(HttpContext context) => context.Items.ContainsKey(FailedKey);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = ReadToken(Request);
        if (token is null) return AuthenticateResult.NoResult();
        var caller = await verifier.VerifyAsync(token, Context.RequestAborted);
        if (caller is not null) return AuthenticateResult.Success(new AuthenticationTicket(caller.ToPrincipal(SchemeName), SchemeName));
        Context.Items[FailedKey] = true;
        return AuthenticateResult.Fail("Invalid user credentials.");
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceAsync();
        await ErrorWriter.WriteAsync(Context, result.Failure is not null ? ApiErrors.InvalidCredentials() : ApiErrors.ForbiddenCollection());
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ErrorWriter.WriteAsync(Context, ApiErrors.Forbidden());

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

public static class TokenAuthenticationSetup
{
    public static IServiceCollection AddTokenAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<AdminToken>();
        services.AddSingleton<TokenRepository>();
        services.AddSingleton<TokenVerifier>();
        services.AddAuthentication(TokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(o =>
        {
            foreach (var access in Enum.GetValues<Access>())
            {
                o.AddPolicy(PolicyName(access), p => p.RequireAuthenticatedUser()
                    .RequireAssertion(c => Caller.From(c.User)?.Allows(access) == true));
            }
            // Routes open to anyone still refuse a token that matches nothing (the challenge answers 401).
            o.FallbackPolicy = new AuthorizationPolicyBuilder()
                .RequireAssertion(c => c.Resource is not HttpContext http || !TokenAuthenticationHandler.SentInvalidToken(http))
                .Build();
        });
        return services;
    }

    /// <summary>
    /// Authentication, then the global rate limiter (between the two: budgets know a verified token, and a made-up one
    /// is counted against its address before its 401), then authorization. A request that carries no token to a route
    /// that names no access level or rate limit skips all three: without a token authentication has nothing to read,
    /// the limiter's only partition is for tokens that matched nothing, and the fallback policy refuses only those. On
    /// the cached-asset path the three cost about a fifth of the request (issue 17, benchmarks/RESULTS.md).
    /// </summary>
    public static void UseTokenAccess(this WebApplication app)
    {
        // Not a UseWhen branch: the host adds its own authentication and authorization at the front of the pipeline
        // unless the app's own builder has them. So the three stay here, and a request that needs none jumps over them
        // to what follows.
        RequestDelegate? afterAccess = null;
        app.Use(next => context => NeedsTokenAccess(context) ? next(context) : afterAccess!(context));
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.Use(next => afterAccess = next);
    }

    /// <summary>Whether a request has a token to read, or its endpoint (matched by then: routing runs first) asks for access or a limit.</summary>
    private static bool NeedsTokenAccess(HttpContext context)
    {
        if (TokenAuthenticationHandler.ReadToken(context.Request) is not null) return true;
        var metadata = context.GetEndpoint()?.Metadata;
        return metadata is not null && (metadata.GetMetadata<IAuthorizeData>() is not null
            || metadata.GetMetadata<AuthorizationPolicy>() is not null
            || metadata.GetMetadata<IAuthorizationRequirementData>() is not null
            || metadata.GetMetadata<Microsoft.AspNetCore.RateLimiting.EnableRateLimitingAttribute>() is not null);
    }

    public static string PolicyName(Access access) => "access:" + access.ToString().ToLowerInvariant();

    /// <summary><c>.RequireAccess(Access.Write)</c> on an endpoint: the policy of that level.</summary>
    public static TBuilder RequireAccess<TBuilder>(this TBuilder builder, Access access) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(PolicyName(access));
}
