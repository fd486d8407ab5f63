using System.Text.Json.Nodes;
using AssetServer.Errors;
using AssetServer.Files;

namespace AssetServer.Auth;

/// <summary>
/// <c>/tokens</c> (ext, admin only): scoped tokens for apps that should only read, or read and write, files.
/// The secret is in the creation answer and nowhere else.
/// </summary>
public static class TokensApi
{
    public static void MapTokens(this WebApplication app)
    {
        app.MapPost("/tokens", Create).RequireAccess(Access.Admin);
        app.MapGet("/tokens", List).RequireAccess(Access.Admin);
        app.MapDelete("/tokens/{id}", Delete).RequireAccess(Access.Admin);
    }

    private static async Task<IResult> Create(HttpContext context, TokenRepository tokens)
    {
        var body = await JsonBody.ReadObjectAsync(context.Request, context.RequestAborted);
        foreach (var (key, _) in body)
            if (key is not ("name" or "access")) throw ApiErrors.InvalidPayload($"Unknown field \"{key}\"; expected \"name\" and \"access\"");
        var name = body["name"] is JsonValue n && n.TryGetValue<string>(out var s) && s.Trim().Length is > 0 and <= 100
            ? s.Trim()
            : throw ApiErrors.InvalidPayload("\"name\" is required (1 to 100 characters)");
        var access = ParseAccess(body["access"]);
        var (record, secret) = await tokens.CreateAsync(name, access.ToString().ToLowerInvariant(), context.RequestAborted);
        var json = ToJson(record);
        json["token"] = secret;
        return JsonBody.Data(json);
    }

    private static async Task<IResult> List(HttpContext context, TokenRepository tokens)
    {
        var all = await tokens.ListAsync(context.RequestAborted);
        return JsonBody.Data(new JsonArray(all.Select(t => (JsonNode)ToJson(t)).ToArray()));
    }

    private static async Task<IResult> Delete(string id, HttpContext context, TokenRepository tokens)
    {
        // The commit moves the data version: every process and node refuses the token from its next request on.
        if (!Guid.TryParseExact(id, "D", out _) || !await tokens.DeleteAsync(id, context.RequestAborted)) throw ApiErrors.Forbidden();
        return Results.NoContent();
    }

    public static Access ParseAccess(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var text) && text is "read" or "write" or "admin"
            ? Enum.Parse<Access>(text, ignoreCase: true)
            : throw ApiErrors.InvalidPayload("\"access\" must be \"read\", \"write\" or \"admin\"");

    private static JsonObject ToJson(TokenRecord t) =>
        new() { ["id"] = t.Id, ["name"] = t.Name, ["access"] = t.Access, ["created_on"] = t.CreatedOn };
}
