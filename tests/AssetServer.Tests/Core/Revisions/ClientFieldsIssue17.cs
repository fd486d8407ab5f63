using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using NUnit.Framework;

namespace AssetServer.Tests.Revisions;

/// <summary>
/// Issue 17: <c>ip</c> and <c>user_agent</c> of the activity log are the admin's to read. Other tokens get rows without
/// them, and a query naming them (fields, filter, sort) is 403, so no filter can probe their values.
/// </summary>
public class ClientFieldsIssue17 : AdminAppFixture
{
    private string fileId = null!;
    private long activityId;

    private async Task<HttpClient> TokenClientAsync(string access)
    {
        using var created = await client.PostAsync("/tokens",
            new StringContent($$"""{"name":"{{access}}-{{Guid.NewGuid():N}}","access":"{{access}}"}""", Encoding.UTF8, "application/json"));
        Assert.That(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var token = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["data"]!["token"]!.GetValue<string>();
        var tokenClient = app.AnonymousClient();
        tokenClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return tokenClient;
    }

    [OneTimeSetUp]
    public async Task WriteOneFileWithAKnownClient()
    {
        using var writer = app.AdminClient();
        writer.DefaultRequestHeaders.UserAgent.ParseAdd("secret-agent/17");
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes("private")), "file", "p.txt");
        using var upload = await writer.PostAsync("/files", form);
        Assert.That(upload.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        fileId = JsonNode.Parse(await upload.Content.ReadAsStringAsync())!["data"]!["id"]!.GetValue<string>();
        var rows = JsonNode.Parse(await client.GetStringAsync($"/activity?filter[item][_eq]={fileId}"))!["data"]!.AsArray();
        activityId = rows.Single()!["id"]!.GetValue<long>();
    }

    private static async Task<JsonNode> DataAsync(HttpResponseMessage res)
    {
        var text = await res.Content.ReadAsStringAsync();
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonNode.Parse(text)!["data"]!;
    }

    [TestCase("read")]
    [TestCase("write")]
    public async Task TokensOtherThanTheAdminSeeNoClientFields(string access)
    {
        using var reader = await TokenClientAsync(access);
        foreach (var url in new[]
                 {
                     $"/activity?filter[item][_eq]={fileId}",
                     $"/activity?filter[item][_eq]={fileId}&fields=*",
                     $"/activity?filter[item][_eq]={fileId}&fields[]=*",
                 })
        {
            using var res = await reader.GetAsync(url);
            var row = (await DataAsync(res)).AsArray().Single()!.AsObject();
            Assert.That(row.Select(p => p.Key), Is.EqualTo(new[] { "id", "action", "user", "actor", "timestamp", "collection", "item", "origin" }), url);
        }
        using var one = await reader.GetAsync($"/activity/{activityId}");
        var single = (await DataAsync(one)).AsObject();
        Assert.That(single.ContainsKey("ip") || single.ContainsKey("user_agent"), Is.False);
        Assert.That(single["actor"]!.GetValue<string>(), Is.EqualTo("admin"), "who wrote stays readable");
    }

    [TestCase("/activity?fields=id,ip")]
    [TestCase("/activity?fields[]=user_agent")]
    [TestCase("/activity?filter[ip][_nnull]=true")]
    [TestCase("/activity?filter[user_agent][_starts_with]=secret")]
    [TestCase("/activity?filter={\"_or\":[{\"item\":{\"_eq\":\"x\"}},{\"_not\":{\"user_agent\":{\"_contains\":\"agent\"}}}]}")]
    [TestCase("/activity?sort=user_agent")]
    [TestCase("/activity?sort=-ip")]
    [TestCase("/activity/1?fields=ip")]
    public async Task ReadTokenCannotNameClientFieldsToProbeThem(string url)
    {
        using var reader = await TokenClientAsync("read");
        using var res = await reader.GetAsync(url);
        var text = await res.Content.ReadAsStringAsync();
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), text);
        Assert.That(text, Does.Contain("FORBIDDEN"));
        Assert.That(text, Does.Not.Contain("secret-agent"));
    }

    [Test]
    public async Task UnknownFieldsStayInvalidQueriesForEveryone()
    {
        using var reader = await TokenClientAsync("read");
        using var res = await reader.GetAsync("/activity?filter[nosuch][_eq]=1");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await res.Content.ReadAsStringAsync(), Does.Contain("INVALID_QUERY"));
    }

    [Test]
    public async Task AdminSeesAndFiltersByClientFields()
    {
        var row = (await DataAsync(await client.GetAsync($"/activity/{activityId}"))).AsObject();
        Assert.That(row.ContainsKey("ip"), Is.True);
        Assert.That(row["user_agent"]!.GetValue<string>(), Is.EqualTo("secret-agent/17"));

        var found = (await DataAsync(await client.GetAsync(
            $"/activity?filter[user_agent][_eq]=secret-agent/17&filter[item][_eq]={fileId}&fields=id,ip,user_agent&sort=-user_agent"))).AsArray();
        Assert.That(found.Single()!["id"]!.GetValue<long>(), Is.EqualTo(activityId));
        Assert.That(found.Single()!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "id", "ip", "user_agent" }));
    }

    [Test]
    public async Task RevisionsCarryNoClientFields()
    {
        using var reader = await TokenClientAsync("read");
        var revision = (await DataAsync(await reader.GetAsync($"/revisions?filter[item][_eq]={fileId}"))).AsArray().Single()!;
        Assert.That(revision.ToJsonString(), Does.Not.Contain("secret-agent"));
        var v8 = await reader.GetStringAsync($"/_/files/{fileId}/revisions");
        Assert.That(v8, Does.Not.Contain("secret-agent"));
    }
}
