using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using AssetServer.Assets;
using AssetServer.Assets.Store;
using AssetServer.Auth;
using AssetServer.Data;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Server;
using Microsoft.Extensions.Options;

namespace AssetServer.V8;

/// <summary>
/// Directus v8's file API under its project prefix (<c>Server:Project</c>, default <c>_</c>): <c>/_/files</c>, a file's
/// revisions, its private-hash assets and thumbnails, the originals under <c>/uploads/_/originals/</c>, and
/// <c>/_/folders</c> (<see cref="V8Folders"/>).
/// Request and response mapping only: storing, rules and rendering are the core's.
/// </summary>
public static class V8Api
{
    public static void MapV8(this WebApplication app)
    {
        var project = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value.Project;
        var files = $"/{project}/files";
        app.MapGet(files, List).RequireAccess(Access.Read);
        app.MapPost(files, Create).RequireAccess(Access.Write);
        app.MapGet(files + "/{id}", GetOne).RequireAccess(Access.Read);
        app.MapPatch(files + "/{id}", Update).RequireAccess(Access.Write);
        app.MapDelete(files + "/{id}", Delete).RequireAccess(Access.Write);
        app.MapGet(files + "/{id}/revisions", Revisions).RequireAccess(Access.Read);
        app.MapGet(files + "/{id}/revisions/{offset}", Revision).RequireAccess(Access.Read);
        app.MapPost(files + "/{id}/private_hash", RotatePrivateHash).RequireAccess(Access.Write);
        string[] read = [HttpMethods.Get, HttpMethods.Head];
        // No token needed: the private hash is the secret (v8's assets were public to whoever had the hash).
        app.MapMethods($"/{project}/assets/{{hash}}", read, Asset);
        app.MapMethods($"/uploads/{project}/originals/{{name}}", read, Original);
        app.MapV8Folders();
    }

    private static V8Urls Urls(HttpContext context) =>
        V8Urls.Of(context.Request, context.RequestServices.GetRequiredService<IOptions<ServerOptions>>().Value.Project);

    /// <summary><c>GET /_/files</c>: v8's query language; <c>single</c> answers one object.</summary>
    private static async Task<IResult> List(HttpContext context, V8Query parser, V8Files v8, FileService files)
    {
        var query = parser.List(context.Request.Query, V8Tables.Files);
        var counts = await files.CountAsync(query.Query, context.RequestAborted);
        return await AnswerAsync(query, V8Tables.Files, counts, v8.ListAsync(query, Urls(context), context.RequestAborted), context.RequestAborted);
    }

    /// <summary>
    /// <c>POST /_/files</c>: one file, as a multipart part or as <c>data</c> (base64, <c>data:</c> URI or URL) beside
    /// the fields; more than one file is v8's "Batch upload is not allowed".
    /// </summary>
    private static async Task<IResult> Create(HttpContext context, V8Query parser, V8Uploads uploads, FileService files, V8Files v8)
    {
        var ct = context.RequestAborted;
        var item = parser.Item(context.Request.Query, V8Tables.Files);
        var write = await uploads.ReadAsync(context.Request, current: null, ct);
        var created = (await files.CreateAsync([write.Upload!], ct))[0];
        return JsonBody.Data(await v8.ShowAsync(created, Urls(context), item, ct), Meta(item.Meta, V8Tables.Files, resultCount: null));
    }

    /// <summary><c>GET /_/files/:id</c>, or <c>/_/files/:id,:id</c> for several (an array).</summary>
    private static async Task<IResult> GetOne(string id, HttpContext context, V8Query parser, V8Files v8)
    {
        var ct = context.RequestAborted;
        var item = parser.Item(context.Request.Query, V8Tables.Files);
        var urls = Urls(context);
        if (!id.Contains(','))
            return JsonBody.Data(await v8.ShowAsync(await v8.FindAsync(id, ct), urls, item, ct), Meta(item.Meta, V8Tables.Files, resultCount: null));
        var records = await v8.FindManyAsync(V8Files.ParseIds(id), ct);
        return JsonBody.Data(Array(await v8.ShowAllAsync(records, urls, item, ct)), Meta(item.Meta, V8Tables.Files, records.Count));
    }

    /// <summary>
    /// <c>PATCH /_/files/:id</c>: JSON or multipart fields; with <c>data</c> (a file part, base64, <c>data:</c> URI or
    /// URL) the contents are replaced too. An unknown id is a 404 before any of the body is read. Several ids
    /// (<c>:id,:id</c>) take the same JSON fields, without <c>data</c>.
    /// </summary>
    private static async Task<IResult> Update(string id, HttpContext context, V8Query parser, V8Uploads uploads, FileService files, V8Files v8)
    {
        var ct = context.RequestAborted;
        var item = parser.Item(context.Request.Query, V8Tables.Files);
        var urls = Urls(context);
        if (id.Contains(','))
        {
            var ids = V8Files.ParseIds(id);
            await v8.FindManyAsync(ids, ct);
            var input = await uploads.ReadFieldsAsync(context.Request, ct);
            var updated = await V8Files.ExistingAsync(files.UpdateManyAsync(ids, input, ct));
            var byId = updated.ToDictionary(r => r.Id);
            return JsonBody.Data(Array(await v8.ShowAllAsync(ids.Select(i => byId[i]).ToList(), urls, item, ct)), Meta(item.Meta, V8Tables.Files, ids.Count));
        }
        var record = await v8.FindAsync(id, ct);
        var write = await uploads.ReadAsync(context.Request, record, ct);
        var saved = write.Upload is { } upload
            ? await V8Files.ExistingAsync(files.ReplaceAsync(record.Id, upload, ct))
            : await V8Files.ExistingAsync(files.UpdateAsync(record.Id, write.Fields, ct));
        return JsonBody.Data(await v8.ShowAsync(saved, urls, item, ct), Meta(item.Meta, V8Tables.Files, resultCount: null));
    }

    /// <summary><c>DELETE /_/files/:id</c> (or <c>:id,:id</c>): 204; the original and every derivative go too.</summary>
    private static async Task<IResult> Delete(string id, HttpContext context, FileService files, V8Files v8)
    {
        var ids = V8Files.ParseIds(id);
        await v8.FindManyAsync(ids, context.RequestAborted);
        await files.DeleteAsync(ids, context.RequestAborted);
        return Results.NoContent();
    }

    /// <summary>
    /// <c>POST /_/files/:id/private_hash</c> (ours: v8 never rotated a hash through its API): a new hash; the old one
    /// names nothing from the moment this answers. Answers the file with its new hash and thumbnail URLs.
    /// </summary>
    private static async Task<IResult> RotatePrivateHash(string id, HttpContext context, V8Query parser, FileService files, V8Files v8)
    {
        var ct = context.RequestAborted;
        var item = parser.Item(context.Request.Query, V8Tables.Files);
        var record = await v8.FindAsync(id, ct);
        var rotated = await V8Files.ExistingAsync(files.RotatePrivateHashAsync(record.Id, ct));
        return JsonBody.Data(await v8.ShowAsync(rotated, Urls(context), item, ct), Meta(item.Meta, V8Tables.Files, resultCount: null));
    }

    /// <summary>
    /// <c>GET /_/files/:id/revisions</c>: the file's revisions, oldest first, with v8's query language. They outlive the
    /// file: a deleted file's revisions are still listed.
    /// </summary>
    private static async Task<IResult> Revisions(string id, HttpContext context, V8Query parser, V8Files v8, FileRepository repository)
    {
        var key = V8Files.ParseId(id);
        var query = parser.List(context.Request.Query, V8Tables.Revisions, V8Revisions.Of(key));
        var counts = await repository.CountAsync(query.Query, context.RequestAborted);
        return await AnswerAsync(query, V8Tables.Revisions, counts, v8.RevisionsAsync(query, context.RequestAborted), context.RequestAborted);
    }

    /// <summary>
    /// <c>GET /_/files/:id/revisions/:offset</c>: the revision at that 0-based offset in creation order, as v8's
    /// <c>findOneByItemOffset</c> picks it (sorted by id ascending: 0 is the upload). Past the last, a 404.
    /// </summary>
    private static async Task<IResult> Revision(string id, string offset, HttpContext context, V8Query parser, V8Files v8)
    {
        var key = V8Files.ParseId(id);
        if (!int.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw V8Errors.InvalidRequest($"The offset must be a whole number from 0, not \"{(offset.Length > 32 ? offset[..32] + "…" : offset)}\"");
        var item = parser.Item(context.Request.Query, V8Tables.Revisions);
        var query = parser.Nth(V8Tables.Revisions, V8Revisions.Of(key), n, item.Fields);
        await foreach (var revision in v8.RevisionsAsync(query, context.RequestAborted))
            return JsonBody.Data(revision, Meta(item.Meta, V8Tables.Revisions, resultCount: null));
        throw V8Errors.ItemNotFound();
    }

    /// <summary>
    /// <c>GET /_/assets/:private_hash</c>: the original, or with <c>key=&lt;v8 thumbnail&gt;</c> (or <c>w</c>, <c>h</c>,
    /// <c>f</c>, <c>q</c>) a derivative from the core's pipeline and cache, with the asset routes' ETag, 304, Range,
    /// nosniff and CSP. <c>Cache-Control: private</c>: a shared cache would keep serving a hash after its rotation.
    /// </summary>
    private static IResult Asset(string hash, HttpContext context, V8Files v8, AssetSigner signer, AssetResolver resolver)
    {
        var query = context.Request.Query;
        return resolver.Serve(new AssetAsk([new AssetCandidate(V8Files.PrivateHash(hash), v8.Transform(query, signer.Enabled))], V8Errors.ItemNotFound(),
            Access: AssetAccess.AnyoneWithTheUrl, Caching: AssetCaching.Private, Download: query.ContainsKey("download")));
    }

    /// <summary>
    /// <c>GET /uploads/_/originals/&lt;filename_disk&gt;</c>: the original under the name <c>data.url</c> gives; public like
    /// v8's uploads folder unless <c>Auth:PublicAssets</c> is off. A replace gives the bytes a new disk name, so the old
    /// URL is a 404 once its bytes are gone from the file.
    /// </summary>
    private static IResult Original(string name, HttpContext context, AssetResolver resolver) =>
        resolver.Serve(new AssetAsk([new AssetCandidate(new AssetLocator.DiskName(name), AssetTransform.None.Instance)], V8Errors.ItemNotFound(),
            Download: context.Request.Query.ContainsKey("download")));

    /// <summary>
    /// A list answer: <c>{"data":[…],"meta":{…}}</c> streamed row by row, or with <c>single</c> the first row alone
    /// (none: 404, as v8's <c>single</c>).
    /// </summary>
    internal static async Task<IResult> AnswerAsync(
        V8ListQuery query, V8Table table, FileListCounts counts, IAsyncEnumerable<JsonObject> rows, CancellationToken ct)
    {
        if (query.Single)
        {
            await foreach (var row in rows.WithCancellation(ct)) return JsonBody.Data(row, Meta(query.Meta, table, resultCount: null));
            throw V8Errors.ItemNotFound();
        }
        var meta = Meta(query.Meta, table, resultCount: 0);
        if (meta is not null)
        {
            if (counts.TotalCount is { } total) meta["total_count"] = total;
            if (counts.FilterCount is { } filtered) meta["filter_count"] = filtered;
        }
        return JsonBody.DataStream(Counted(rows, meta, ct), (writer, row) => row.WriteTo(writer), meta);
    }

    /// <summary>
    /// The rows as they are written, setting <c>meta.result_count</c> to how many there were once the last is out:
    /// <see cref="JsonBody.DataStream{T}"/> writes <c>meta</c> after the rows, so the count is of what was sent.
    /// </summary>
    private static async IAsyncEnumerable<JsonObject> Counted(IAsyncEnumerable<JsonObject> rows, JsonObject? meta, [EnumeratorCancellation] CancellationToken ct)
    {
        var count = 0;
        await foreach (var row in rows.WithCancellation(ct))
        {
            count++;
            yield return row;
        }
        if (meta?.ContainsKey("result_count") == true) meta["result_count"] = count;
    }

    /// <summary>
    /// v8's <c>meta</c>, in its order, with what was asked: <c>collection</c>, <c>type</c> (<c>item</c> for one object,
    /// <c>collection</c> for a list) and for lists <c>result_count</c>; the counts are added by the list. Null without <c>meta</c>.
    /// </summary>
    internal static JsonObject? Meta(IReadOnlySet<string>? names, V8Table table, int? resultCount)
    {
        if (names is null) return null;
        var meta = new JsonObject();
        if (names.Contains("collection")) meta["collection"] = table.Collection;
        if (names.Contains("type")) meta["type"] = resultCount is null ? "item" : "collection";
        if (resultCount is { } count && names.Contains("result_count")) meta["result_count"] = count;
        return meta;
    }

    private static JsonArray Array(IEnumerable<JsonObject> items) => new(items.Select(i => (JsonNode)i).ToArray());
}
