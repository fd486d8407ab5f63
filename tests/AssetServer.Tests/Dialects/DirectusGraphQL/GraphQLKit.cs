using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.GraphQL;

/// <summary>Requests to <c>/graphql/system</c> and checks of Directus's GraphQL answer shapes.</summary>
internal static class GraphQLKit
{
    public const string GraphQLPath = "/graphql/system";

    /// <summary>POSTs <c>{"query","variables","operationName"}</c>.</summary>
    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string query, object? variables = null, string? operationName = null)
    {
        var body = new JsonObject { ["query"] = query };
        if (variables is not null) body["variables"] = System.Text.Json.JsonSerializer.SerializeToNode(variables);
        if (operationName is not null) body["operationName"] = operationName;
        return client.PostAsync(GraphQLPath, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
    }

    /// <summary>Runs a query as the admin and returns <c>data</c>, failing on any error.</summary>
    public static async Task<JsonObject> DataAsync(AssetServerApp app, string query, object? variables = null, string? operationName = null)
    {
        using var client = app.AdminClient();
        return await ResultAsync(await PostAsync(client, query, variables, operationName));
    }

    /// <summary>Checks 200 without <c>errors</c> and returns <c>data</c>.</summary>
    public static async Task<JsonObject> ResultAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        var body = JsonNode.Parse(text)!.AsObject();
        Assert.That(body["errors"], Is.Null, text);
        return body["data"]!.AsObject();
    }

    /// <summary>Checks 200 with exactly one entry in <c>errors</c> of the given code; returns the whole body.</summary>
    public static async Task<JsonObject> FieldErrorAsync(HttpResponseMessage response, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        Assert.That(text, Does.Not.Contain("   at "), "an error body must never carry a stack trace");
        var body = JsonNode.Parse(text)!.AsObject();
        var errors = body["errors"]!.AsArray();
        Assert.That(errors, Has.Count.EqualTo(1), text);
        Assert.That(errors[0]!["message"]!.GetValue<string>(), Is.Not.Empty, text);
        Assert.That(errors[0]!["extensions"]!["code"]!.GetValue<string>(), Is.EqualTo(code), text);
        return body;
    }

    /// <summary>Checks Directus's <c>GraphQLValidationError</c>: 400, <c>GRAPHQL_VALIDATION</c>; returns <c>extensions.errors</c>.</summary>
    public static async Task<JsonArray> ValidationErrorsAsync(HttpResponseMessage response)
    {
        var error = await Files.FilesKit.AssertErrorAsync(response, HttpStatusCode.BadRequest, "GRAPHQL_VALIDATION");
        Assert.That(error["message"]!.GetValue<string>(), Is.EqualTo("GraphQL validation error."));
        var errors = error["extensions"]!["errors"]!.AsArray();
        Assert.That(errors, Is.Not.Empty);
        return errors;
    }

    /// <summary>A client with a new token of the given access (<c>read</c>, <c>write</c>), made by the admin.</summary>
    public static async Task<HttpClient> TokenClientAsync(AssetServerApp app, string access)
    {
        using var admin = app.AdminClient();
        var created = await Files.FilesKit.DataAsync(await admin.PostAsJsonAsync("/tokens", new { name = Files.FilesKit.Unique("graphql"), access }));
        var client = app.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created["token"]!.GetValue<string>());
        return client;
    }

    /// <summary>A GraphQL string literal (quotes and backslashes escaped).</summary>
    public static string Lit(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    public static List<string> Values(JsonNode? list, string field) =>
        list!.AsArray().Select(item => item![field]!.GetValue<string>()).ToList();
}
