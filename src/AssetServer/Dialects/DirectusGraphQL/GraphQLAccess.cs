using System.Globalization;
using AssetServer.Auth;
using AssetServer.Errors;
using GraphQL;

namespace AssetServer.GraphQL;

/// <summary>
/// The token rules of <c>/files</c>, per field: anyone may send a GraphQL request (introspection needs no token), but
/// reading files needs a token, and changing them a write token, refused as REST refuses them (FORBIDDEN).
/// </summary>
public static class GraphQLAccess
{
    /// <param name="collection">What a request without a token is refused access to, in the message.</param>
    public static void Require(IResolveFieldContext context, Access access, string collection = "directus_files")
    {
        var caller = context.User is { } user ? Caller.From(user) : null;
        if (caller is null) throw ApiErrors.ForbiddenCollection(collection);
        if (!caller.Allows(access)) throw ApiErrors.Forbidden();
    }

    /// <summary>An <c>ID</c> argument as a canonical UUID, or null when it is not one.</summary>
    public static string? Id(object? value) =>
        Guid.TryParseExact(Convert.ToString(value, CultureInfo.InvariantCulture), "D", out var id) ? id.ToString("D") : null;

    /// <summary>
    /// An <c>ids</c> argument as text, at most as many as REST takes; <see cref="Files.FileService"/> checks each
    /// (a malformed one is FORBIDDEN, as on REST).
    /// </summary>
    public static List<string> Ids(object? value)
    {
        var ids = (value as System.Collections.IEnumerable)?.Cast<object?>()
            .Select(id => Convert.ToString(id, CultureInfo.InvariantCulture) ?? "").ToList() ?? [];
        if (ids.Count > 10000) throw ApiErrors.InvalidPayload("At most 10000 keys per request");
        return ids;
    }
}
