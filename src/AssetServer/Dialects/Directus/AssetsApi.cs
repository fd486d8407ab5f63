using AssetServer.Auth;
using AssetServer.Errors;
using AssetServer.Files;

namespace AssetServer.Assets;

/// <summary><c>GET</c>/<c>HEAD</c> <c>/assets/:id</c> and <c>/assets/:id/:filename</c>: originals and derivatives.</summary>
public static class AssetsApi
{
    public static void Map(WebApplication app)
    {
        string[] methods = [HttpMethods.Get, HttpMethods.Head];
        app.MapMethods("/assets/{id}", methods, GetAsset);
        app.MapMethods("/assets/{id}/{**filename}", methods, GetAsset);
        app.MapPost("/assets/sign", SignUrl).RequireAccess(Access.Admin);
        ArchivesApi.Map(app);
    }

    /// <summary>(ext) <c>POST /assets/sign {"url":"/assets/&lt;id&gt;?width=200"}</c> → the URL with its signature.</summary>
    private static async Task<IResult> SignUrl(HttpContext context, AssetSigner signer)
    {
        var body = await JsonBody.ReadObjectAsync(context.Request, context.RequestAborted);
        var url = body["url"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var s) && s.Length is > 0 and <= 8192
            ? s
            : throw ApiErrors.InvalidPayload("\"url\" is required");
        return JsonBody.Data(new System.Text.Json.Nodes.JsonObject { ["url"] = signer.SignUrl(url) });
    }

    /// <summary>
    /// <c>GET /assets/:id[/:filename]</c>: the original, or a derivative from the transform parameters (signed when
    /// <c>Assets:SigningKey</c> is set). An unknown id is 403 like a forbidden one, so existence does not leak.
    /// </summary>
    public static IResult GetAsset(string id, HttpContext context, AssetResolver resolver)
    {
        var fileId = AssetResolver.ParseId(id) ?? throw ApiErrors.Forbidden();
        var query = context.Request.Query;
        return resolver.Serve(new AssetAsk([new AssetCandidate(new AssetLocator.Id(fileId), new AssetTransform.Query(query, Signed: true))], ApiErrors.Forbidden(),
            DownloadName: DownloadName(context), Download: query.ContainsKey("download")));
    }

    /// <summary>The <c>:filename</c> segment renames the download (§4); otherwise <c>filename_download</c>.</summary>
    private static string? DownloadName(HttpContext context)
    {
        var segment = context.Request.RouteValues["filename"] as string;
        if (string.IsNullOrEmpty(segment)) return null;
        var last = segment[(segment.LastIndexOf('/') + 1)..];
        // The segment is the client's text, so it gets the same cleaning as a stored filename_download.
        return last.Length > 0 ? FileNames.Sanitise(last) : null;
    }
}
