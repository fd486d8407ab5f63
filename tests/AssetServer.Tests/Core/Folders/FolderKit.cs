using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Folders;

/// <summary>Helpers of the folder tests: make folders, read them back, make token clients.</summary>
internal static class FolderKit
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A new folder (its id), failing the test if the server refuses it.</summary>
    public static async Task<string> CreateAsync(HttpClient client, string name, string? parent = null)
    {
        var body = new JsonObject { ["name"] = name, ["parent"] = parent };
        using var response = await client.PostAsync("/folders", Json(body.ToJsonString()));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), text);
        return JsonNode.Parse(text)!["data"]!["id"]!.GetValue<string>();
    }

    /// <summary>The folder object, or null when the server answers 403 (gone, as Directus hides existence).</summary>
    public static async Task<JsonObject?> GetAsync(HttpClient client, string id)
    {
        using var response = await client.GetAsync($"/folders/{id}");
        if ((int)response.StatusCode == 403) return null;
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), text);
        return JsonNode.Parse(text)!["data"]!.AsObject();
    }

    public static async Task<HttpClient> TokenClientAsync(AssetServerApp app, HttpClient admin, string access)
    {
        using var created = await admin.PostAsync("/tokens", Json($$"""{"name":"{{access}}-{{Guid.NewGuid():N}}","access":"{{access}}"}"""));
        var text = await created.Content.ReadAsStringAsync();
        Assert.That(created.IsSuccessStatusCode, text);
        var token = JsonNode.Parse(text)!["data"]!["token"]!.GetValue<string>();
        var client = app.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static string Named(string stem) => $"{stem} {Guid.NewGuid().ToString("N")[..10]}";
}
