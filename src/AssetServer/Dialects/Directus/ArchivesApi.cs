using System.Text.Json.Nodes;
using AssetServer.Archives;
using AssetServer.Auth;
using AssetServer.Errors;
using AssetServer.Files;

namespace AssetServer.Assets;

/// <summary>Directus 12's zip downloads: <c>POST /assets/files</c> <c>{"ids":[…]}</c> and <c>POST /assets/folder/:id</c>.</summary>
public static class ArchivesApi
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/assets/files", ZipFiles);
        app.MapPost("/assets/folder/{id}", ZipFolder);
    }

    private static async Task<IResult> ZipFiles(HttpContext context, ArchiveService archives)
    {
        var body = await JsonBody.ReadObjectAsync(context.Request, context.RequestAborted);
        if (body.FirstOrDefault(p => p.Key != "ids") is { Key: { } unknown })
            throw ApiErrors.InvalidPayload($"Unknown field \"{unknown}\": the body is {{\"ids\":[…]}}");
        if (body["ids"] is not JsonArray array) throw ApiErrors.InvalidPayload("\"ids\" must be an array of file ids");
        var ids = array.Select(node => node is JsonValue value && value.TryGetValue<string>(out var id)
            ? id
            : throw ApiErrors.InvalidPayload("\"ids\" must hold strings (file ids)")).ToList();
        return archives.Serve(await archives.PlanFilesAsync(ids, context.Caller(), context.RequestAborted));
    }

    private static async Task<IResult> ZipFolder(string id, HttpContext context, ArchiveService archives) =>
        archives.Serve(await archives.PlanFolderAsync(id, context.Caller(), context.RequestAborted));
}
