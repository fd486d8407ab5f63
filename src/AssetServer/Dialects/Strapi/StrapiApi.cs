using System.Text.Json.Nodes;
using AssetServer.Assets;
using AssetServer.Assets.Store;
using AssetServer.Auth;
using AssetServer.Data;
using AssetServer.Errors;
using AssetServer.Files;
using Microsoft.Extensions.Options;

namespace AssetServer.Strapi;

/// <summary>
/// Strapi 5's upload content API (<c>/api/upload…</c>) and public folder (<c>/uploads/…</c>), STRAPI-BEHAVIOUR.md.
/// Request and response mapping only: storing, rules and rendering are the core's.
/// </summary>
public static class StrapiApi
{
    public static void MapStrapi(this WebApplication app)
    {
        app.MapPost("/api/upload", Upload).RequireAccess(Access.Write);
        app.MapGet("/api/upload/files", List).RequireAccess(Access.Read);
        app.MapGet("/api/upload/files/page", Page).RequireAccess(Access.Read);
        app.MapGet("/api/upload/files/{id}", GetOne).RequireAccess(Access.Read);
        app.MapDelete("/api/upload/files/{id}", Delete).RequireAccess(Access.Write);
        string[] read = [HttpMethods.Get, HttpMethods.Head];
        app.MapMethods("/uploads/{name}", read, Serve);
        Strapi3Api.Map(app);
    }

    /// <summary><c>POST /api/upload</c>: new files (201, an array); with <c>?id=</c>, an update or a replace (200, one object).</summary>
    private static async Task<IResult> Upload(HttpContext context, StrapiFiles strapi, StrapiQuery parser)
    {
        var ct = context.RequestAborted;
        var fields = parser.ParseFields(context.Request.Query);
        if (context.Request.Query["id"].ToString() is { Length: > 0 } id)
        {
            var record = await strapi.FindAsync(id, "Entity not found", ct);
            var updated = await strapi.UpdateAsync(record, context.Request, ct);
            return StrapiJson.Send(await strapi.ShowAsync(updated, StrapiVersion.V5, fields, related: false, ct));
        }
        if (!UploadReader.IsMultipart(context.Request)) throw StrapiErrors.FilesEmpty();
        var created = await strapi.UploadAsync(await strapi.ReadFormAsync(context.Request, ct), ct);
        var shown = new JsonArray();
        foreach (var record in created) shown.Add(await strapi.ShowAsync(record, StrapiVersion.V5, fields, related: false, ct));
        return StrapiJson.Send(shown, StatusCodes.Status201Created);
    }

    /// <summary><c>GET /api/upload/files</c>: a flat array.</summary>
    private static IResult List(HttpContext context, StrapiFiles strapi, StrapiQuery parser)
    {
        var query = parser.ParseFlat(context.Request.Query);
        return StrapiJson.Stream(strapi.ListAsync(query, StrapiVersion.V5, context.RequestAborted));
    }

    /// <summary>
    /// <c>GET /api/upload/files/page</c>: <c>{data, meta:{pagination}}</c>, the count first, then the rows streamed as
    /// the flat list is (issue 17: a page is never built whole, and its rows are charged to <c>Files:MaxResponseBytes</c>).
    /// </summary>
    private static async Task<IResult> Page(HttpContext context, StrapiFiles strapi, StrapiQuery parser, FileService files)
    {
        var ct = context.RequestAborted;
        var query = parser.ParsePage(context.Request.Query);
        var p = query.Pagination!;
        var pagination = new JsonObject();
        if (p.PageMode)
        {
            pagination["page"] = p.Page;
            pagination["pageSize"] = p.PageSize;
        }
        else
        {
            pagination["start"] = p.Start;
            pagination["limit"] = p.Limit;
        }
        if (p.WithCount)
        {
            var total = (await files.CountAsync(query.Query, ct)).FilterCount ?? 0;
            if (p.PageMode) pagination["pageCount"] = (int)Math.Ceiling(total / (double)p.PageSize);
            pagination["total"] = total;
        }
        return JsonBody.DataStream(strapi.ListAsync(query, StrapiVersion.V5, ct), (writer, item) => item.WriteTo(writer),
            new JsonObject { ["pagination"] = pagination });
    }

    private static async Task<IResult> GetOne(string id, HttpContext context, StrapiFiles strapi, StrapiQuery parser)
    {
        var ct = context.RequestAborted;
        var record = await strapi.FindAsync(id, "file.notFound", ct);
        var query = context.Request.Query;
        return StrapiJson.Send(await strapi.ShowAsync(record, StrapiVersion.V5, parser.ParseFields(query), parser.ParsePopulate(query), ct));
    }

    private static async Task<IResult> Delete(string id, HttpContext context, StrapiFiles strapi)
    {
        var ct = context.RequestAborted;
        var record = await strapi.FindAsync(id, "file.notFound", ct);
        return StrapiJson.Send(await strapi.DeleteAsync(record, StrapiVersion.V5, ct));
    }

    /// <summary>
    /// <c>GET /uploads/&lt;hash&gt;&lt;ext&gt;</c> (an original) and <c>/uploads/&lt;format&gt;_&lt;hash&gt;&lt;ext&gt;</c> (a
    /// format). Public like Strapi's folder (unless <c>Auth:PublicAssets</c> is off), with the asset routes' ETag, 304,
    /// Range, nosniff and CSP. <c>max-age=0</c> as Strapi sends: a replace keeps the URL, so caches must revalidate.
    /// </summary>
    private static IResult Serve(string name, StrapiFormats formats, AssetResolver resolver)
    {
        var dot = name.LastIndexOf('.');
        var (hash, ext) = dot < 0 ? (name, "") : (name[..dot], name[dot..]);
        // The name is the original's hash, or a format's name and "_" before it (an original's own hash may start so too).
        List<AssetCandidate> candidates = [new(new AssetLocator.UploadName(hash, ext), AssetTransform.None.Instance)];
        foreach (var format in StrapiFormats.All)
        {
            var prefix = format.Key + "_";
            if (!hash.StartsWith(prefix, StringComparison.Ordinal)) continue;
            candidates.Add(new AssetCandidate(new AssetLocator.UploadName(hash[prefix.Length..], ext),
                new AssetTransform.Defined(record => formats.Request(record, format.Key)), DownloadPrefix: prefix, NamedAsStored: true));
        }
        return resolver.Serve(new AssetAsk(candidates, StrapiErrors.NotFound("Not Found"), Caching: AssetCaching.Revalidate));
    }
}
