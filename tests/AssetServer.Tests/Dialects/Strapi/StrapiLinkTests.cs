using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Strapi.StrapiKit;

namespace AssetServer.Tests.Strapi;

/// <summary>
/// Entry linking (issue 10): <c>ref</c>, <c>refId</c>, <c>field</c> and <c>source</c> sent with an upload are stored
/// with its files and shown as <c>related</c> only when <c>populate=related</c> or <c>populate=*</c> asks for it.
/// </summary>
public class StrapiLinkTests : AdminAppFixture
{
    private async Task<JsonArray> UploadLinkedAsync(string name, bool withSource = false)
    {
        var parts = new List<StrapiPart>
        {
            StrapiPart.Field("ref", "api::article.article"),
            StrapiPart.Field("refId", "42"),
            StrapiPart.Field("field", "cover"),
            StrapiPart.File("cover.jpg", TestImages.Jpeg(80, 60), "image/jpeg"),
            StrapiPart.File("notes.txt", TextBytes(30), "text/plain"),
            StrapiPart.FileInfo(new JsonArray(new JsonObject { ["name"] = name + "-0" }, new JsonObject { ["name"] = name + "-1" }).ToJsonString()),
        };
        if (withSource) parts.Insert(0, StrapiPart.Field("source", "users-permissions"));
        return await UploadOkAsync(client, parts.ToArray());
    }

    private static void AssertLinkedToArticle42(JsonNode file, string? source = null)
    {
        var related = file["related"]!.AsArray();
        Assert.That(related, Has.Count.EqualTo(1), file.ToJsonString());
        var entry = related[0]!;
        Assert.That(entry["id"]!.GetValue<long>(), Is.EqualTo(42));
        Assert.That(Str(entry, "__type"), Is.EqualTo("api::article.article"));
        Assert.That(Str(entry, "field"), Is.EqualTo("cover"));
        Assert.That(entry["source"]?.GetValue<string>(), Is.EqualTo(source));
    }

    [Test]
    public async Task RelatedIsNotShownUnlessPopulated()
    {
        var created = await UploadLinkedAsync(Unique("linked"));
        foreach (var file in created)
        {
            Assert.That(file!.AsObject().ContainsKey("related"), Is.False, "not in the upload answer");
            var read = await GetJsonAsync(client, $"/api/upload/files/{Id(file)}");
            Assert.That(read.AsObject().ContainsKey("related"), Is.False, "not without populate");
            Assert.That(read.AsObject().Select(p => p.Key), Is.EqualTo(V5FieldOrder));
        }
    }

    [TestCase("populate=related")]
    [TestCase("populate=*")]
    [TestCase("populate[0]=related")]
    public async Task PopulateShowsTheLinkOnGetOne(string populate)
    {
        var created = await UploadLinkedAsync(Unique("linked"));
        foreach (var file in created)
        {
            var read = await GetJsonAsync(client, $"/api/upload/files/{Id(file)}?{populate}");
            AssertLinkedToArticle42(read);
            Assert.That(Str(read, "name"), Is.EqualTo(Str(file!, "name")));
        }
    }

    [Test]
    public async Task SourceIsKeptWithTheLink()
    {
        var created = await UploadLinkedAsync(Unique("sourced"), withSource: true);
        var read = await GetJsonAsync(client, $"/api/upload/files/{Id(created[0]!)}?populate=related");
        AssertLinkedToArticle42(read, source: "users-permissions");
    }

    [TestCase("/api/upload/files")]
    [TestCase("/api/upload/files/page")]
    public async Task PopulateShowsTheLinkOnBothListRoutes(string route)
    {
        var name = Unique("listed");
        await UploadLinkedAsync(name);
        var plain = await UploadOneAsync(client, TextBytes(10), "plain.txt", "text/plain", new JsonObject { ["name"] = name + "-2" }.ToJsonString());

        var body = await GetJsonAsync(client, $"{route}?filters[name][$startsWith]={Q(name)}&populate=related");
        var files = (body as JsonArray ?? body["data"]!.AsArray()).ToList();
        Assert.That(files, Has.Count.EqualTo(3));
        AssertLinkedToArticle42(files[0]!);
        AssertLinkedToArticle42(files[1]!);
        Assert.That(Id(files[2]!), Is.EqualTo(Id(plain)));
        Assert.That(files[2]!["related"]!.AsArray(), Is.Empty, "a file uploaded for no entry relates to none");

        var unpopulated = await GetJsonAsync(client, $"{route}?filters[name][$startsWith]={Q(name)}");
        var plainFiles = (unpopulated as JsonArray ?? unpopulated["data"]!.AsArray()).ToList();
        Assert.That(plainFiles.Any(f => f!.AsObject().ContainsKey("related")), Is.False);
    }

    [Test]
    public async Task RefWithoutRefIdLinksNothing()
    {
        var created = await UploadOkAsync(client,
            StrapiPart.Field("ref", "api::article.article"),
            StrapiPart.File("alone.txt", TextBytes(10), "text/plain"));
        var read = await GetJsonAsync(client, $"/api/upload/files/{Id(created[0]!)}?populate=related");
        Assert.That(read["related"]!.AsArray(), Is.Empty);
    }
}
