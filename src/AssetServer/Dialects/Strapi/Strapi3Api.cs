using System.Text.Json.Nodes;
using AssetServer.Auth;
using AssetServer.Files;
using AssetServer.Files.Query;

namespace AssetServer.Strapi;

/// <summary>
/// Strapi 3's upload plugin routes (<c>/upload…</c>): the same services as Strapi 5, with v3's shapes (snake_case
/// timestamps, no documentId, <c>related</c> always listed) and query parameters (<c>_limit</c>, <c>_start</c>, <c>_sort</c>).
/// </summary>
public static class Strapi3Api
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/upload", Upload).RequireAccess(Access.Write);
        app.MapGet("/upload/files", List).RequireAccess(Access.Read);
        app.MapGet("/upload/files/count", Count).RequireAccess(Access.Read);
        app.MapGet("/upload/files/{id}", GetOne).RequireAccess(Access.Read);
        app.MapGet("/upload/search/{id}", Search).RequireAccess(Access.Read);
        app.MapDelete("/upload/files/{id}", Delete).RequireAccess(Access.Write);
    }

    /// <summary><c>POST /upload</c> with <c>files</c> or <c>files[]</c> (200, an array); <c>?id=</c> updates or replaces one.</summary>
    private static async Task<IResult> Upload(HttpContext context, StrapiFiles strapi)
    {
        var ct = context.RequestAborted;
        if (context.Request.Query["id"].ToString() is { Length: > 0 } id)
        {
            var record = await strapi.FindAsync(id, "Not Found", ct);
            var updated = await strapi.UpdateAsync(record, context.Request, ct);
            return StrapiJson.Send(await strapi.ShowAsync(updated, StrapiVersion.V3, null, related: true, ct));
        }
        if (!UploadReader.IsMultipart(context.Request)) throw StrapiErrors.FilesEmpty();
        var created = await strapi.UploadAsync(await strapi.ReadFormAsync(context.Request, ct), ct);
        var shown = new JsonArray();
        foreach (var record in created) shown.Add(await strapi.ShowAsync(record, StrapiVersion.V3, null, related: true, ct));
        return StrapiJson.Send(shown);
    }

    private static IResult List(HttpContext context, StrapiFiles strapi, StrapiQuery parser) =>
        StrapiJson.Stream(strapi.ListAsync(parser.ParseV3(context.Request.Query), StrapiVersion.V3, context.RequestAborted));

    /// <summary><c>GET /upload/files/count</c>: a bare number, filters applied.</summary>
    private static async Task<IResult> Count(HttpContext context, StrapiQuery parser, FileService files)
    {
        var query = parser.ParseV3(context.Request.Query, counting: true);
        return StrapiJson.Send(JsonValue.Create((await files.CountAsync(query.Query, context.RequestAborted)).FilterCount ?? 0));
    }

    private static async Task<IResult> GetOne(string id, HttpContext context, StrapiFiles strapi)
    {
        var record = await strapi.FindAsync(id, "Not Found", context.RequestAborted);
        return StrapiJson.Send(await strapi.ShowAsync(record, StrapiVersion.V3, null, related: true, context.RequestAborted));
    }

    /// <summary><c>GET /upload/search/:id</c>: files whose name contains the text, case-insensitively (v3's <c>name_contains</c>).</summary>
    private static IResult Search(string id, HttpContext context, StrapiFiles strapi, FileQueryParser parser)
    {
        var core = new JsonObject
        {
            ["filter"] = new JsonObject { ["filename_download"] = new JsonObject { ["_icontains"] = id } },
            ["sort"] = "numeric_id",
            ["limit"] = -1,
        };
        var query = new StrapiListQuery(parser.Parse(core), Fields: null, PopulateRelated: true, Pagination: null);
        return StrapiJson.Stream(strapi.ListAsync(query, StrapiVersion.V3, context.RequestAborted));
    }

    private static async Task<IResult> Delete(string id, HttpContext context, StrapiFiles strapi)
    {
        var record = await strapi.FindAsync(id, "Not Found", context.RequestAborted);
        return StrapiJson.Send(await strapi.DeleteAsync(record, StrapiVersion.V3, context.RequestAborted));
    }
}
