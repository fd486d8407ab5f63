using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Files.Query;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Files.FilesKit;

namespace AssetServer.Tests.Hardening;

/// <summary>
/// Issue 9, item 5: a filter's cost grew with the square of its values (64 lists of 500 took 20–30 s of CPU).
/// Values are now counted across the whole filter and capped; a filter at the cap is answered, one past it is a 400.
/// </summary>
public class QueryBudgetIssue9 : AdminAppFixture
{
    private static JsonArray Titles(string stem, int count, params string[] real)
    {
        var list = new JsonArray(real.Select(t => (JsonNode?)t).ToArray());
        for (var i = list.Count; i < count; i++) list.Add($"{stem} filler {i}");
        return list;
    }

    private static JsonObject TitleIn(JsonArray values) => new() { ["title"] = new JsonObject { ["_in"] = values } };

    private async Task<HttpResponseMessage> SearchAsync(JsonObject filter, string? meta = null)
    {
        var query = new JsonObject { ["filter"] = filter, ["limit"] = -1 };
        if (meta is not null) query["meta"] = meta;
        var body = new JsonObject { ["query"] = query };
        return await client.SendAsync(Request("SEARCH", "/files", Json(body.ToJsonString())));
    }

    [Test]
    public async Task TheReportedFilterOf64ListsOf500IsRefusedNamingTheLimit()
    {
        var lists = Enumerable.Range(0, 64).Select(i => (JsonNode?)TitleIn(Titles($"r{i}", 500))).ToArray();
        using var response = await SearchAsync(new JsonObject { ["_or"] = new JsonArray(lists) });
        var error = await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_QUERY");
        Assert.That(error["message"]!.GetValue<string>(), Does.Contain($"at most {FileQueryParser.MaxFilterValues} values"));
    }

    [Test]
    public async Task AFilterOneValuePastTheCapIsRefused()
    {
        // Five lists: each within the 500 a list may hold, together one value too many.
        var sizes = new[] { 500, 500, 500, 500, 1 };
        var lists = sizes.Select((n, i) => (JsonNode?)TitleIn(Titles($"o{i}", n))).ToArray();
        using var response = await SearchAsync(new JsonObject { ["_or"] = new JsonArray(lists) });
        var error = await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_QUERY");
        Assert.That(error["message"]!.GetValue<string>(), Does.Contain("filter").And.Contain(FileQueryParser.MaxFilterValues.ToString()));
    }

    [Test]
    public async Task AFilterAtTheCapFindsExactlyItsRows()
    {
        var p = Unique("qb");
        var ids = new List<string>();
        foreach (var name in new[] { "Alpha", "Beta", "Gamma" })
            ids.Add(Str(await app.UploadOkAsync(TextBytes(10), $"{p}-{name}.txt", "text/plain", ("title", $"{p} {name}")), "id"));
        await app.UploadOkAsync(TextBytes(10), $"{p}-delta.txt", "text/plain", ("title", $"{p} Delta"));

        // 1 + 500 + 500 + 500 + 499 = the cap exactly; the real titles sit at the ends of different lists.
        var filter = new JsonObject
        {
            ["_and"] = new JsonArray(
                new JsonObject { ["title"] = new JsonObject { ["_starts_with"] = p } },
                new JsonObject
                {
                    ["_or"] = new JsonArray(
                        TitleIn(Titles(p + "a", 500, $"{p} Alpha")),
                        TitleIn(Titles(p + "b", 500)),
                        TitleIn(Titles(p + "c", 500)),
                        TitleIn(new JsonArray(Titles(p + "d", 497).Concat(new JsonNode?[] { $"{p} Beta", $"{p} Gamma" })
                            .Select(n => n?.DeepClone()).ToArray()))),
                }),
        };
        Assert.That(1 + 500 * 3 + 499, Is.EqualTo(FileQueryParser.MaxFilterValues));

        using var response = await SearchAsync(filter, meta: "filter_count");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        var body = JsonNode.Parse(text)!;
        Assert.That(Ids(body["data"]!), Is.EquivalentTo(ids));
        Assert.That(body["meta"]!["filter_count"]!.GetValue<long>(), Is.EqualTo(3));
    }
}
