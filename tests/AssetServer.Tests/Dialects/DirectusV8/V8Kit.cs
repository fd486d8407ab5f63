using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.V8;

/// <summary>Shared helpers for the Directus v8 dialect's tests: v8 uploads, v8's error shape, snapshots of what is stored.</summary>
internal static class V8Kit
{
    public const string FilesRoute = "/_/files";

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static StringContent Json(JsonNode json) => Json(json.ToJsonString());

    /// <summary>A multipart body: <paramref name="fields"/> then the file part (v8's SDK names it <c>data</c>).</summary>
    public static MultipartFormDataContent Form(byte[] bytes, string fileName, string type, params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields) form.Add(new StringContent(value), name);
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(type);
        form.Add(file, "data", fileName);
        return form;
    }

    /// <summary>Uploads through <c>POST /_/files</c> and returns the v8 file object.</summary>
    public static async Task<JsonObject> UploadAsync(HttpClient client, byte[] bytes, string fileName, string type, params (string Name, string Value)[] fields)
    {
        using var form = Form(bytes, fileName, type, fields);
        using var response = await client.PostAsync(FilesRoute, form);
        return (await DataAsync(response)).AsObject();
    }

    /// <summary>Checks 200 and returns <c>data</c>.</summary>
    public static async Task<JsonNode> DataAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonNode.Parse(text)!["data"]!;
    }

    /// <summary>Checks 200 and returns the whole body (<c>data</c> and <c>meta</c>).</summary>
    public static async Task<JsonObject> BodyAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonNode.Parse(text)!.AsObject();
    }

    public static async Task<JsonNode> GetDataAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        return await DataAsync(response);
    }

    /// <summary>Checks the status and v8's error shape, <c>{"error":{"code":n,"message":"…"}}</c> and nothing else; returns the error.</summary>
    public static async Task<JsonObject> AssertV8ErrorAsync(HttpResponseMessage response, HttpStatusCode status, int code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), text);
        Assert.That(text, Does.Not.Contain("   at "), "an error body must never carry a stack trace");
        var body = JsonNode.Parse(text)!.AsObject();
        Assert.That(body.Select(p => p.Key), Is.EqualTo(new[] { "error" }), text);
        var error = body["error"]!.AsObject();
        Assert.That(error.Select(p => p.Key), Is.EqualTo(new[] { "code", "message" }), text);
        Assert.That(error["code"]!.GetValue<int>(), Is.EqualTo(code), text);
        Assert.That(error["message"]!.GetValue<string>(), Is.Not.Empty);
        return error;
    }

    public static string Str(JsonNode? node, string name) => node![name]!.GetValue<string>();

    public static string Id(JsonNode file) => Str(file, "id");

    /// <summary>A short unique marker for titles and names, so a test finds only its own rows.</summary>
    public static string Unique(string stem) => $"{stem}{Guid.NewGuid().ToString("N")[..12]}";

    /// <summary>Rows, originals and temp files: what a refused write must leave as it was.</summary>
    public static async Task<(long Rows, int Originals, int Temps)> SnapshotAsync(AssetServerApp app) =>
        (await app.RowCountAsync(), app.OriginalsOnDisk().Length, app.TempFilesOnDisk().Length);

    /// <summary>A token of the given access (<c>read</c> or <c>write</c>), made with the admin token.</summary>
    public static async Task<HttpClient> ClientWithAccessAsync(AssetServerApp app, string access)
    {
        using var admin = app.AdminClient();
        using var created = await admin.PostAsync("/tokens", Json($$"""{"name":"{{Unique("v8-")}}","access":"{{access}}"}"""));
        var token = Str(await DataAsync(created), "token");
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
