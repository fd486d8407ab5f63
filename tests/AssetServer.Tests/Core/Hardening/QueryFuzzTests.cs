using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Hardening;

/// <summary>
/// Thousands of random and mutated query strings against the filter parser (<c>/files</c>) and the transform
/// parser (<c>/assets</c>): every answer is a 2xx or a 4xx in the error shape, never a 500, and the app stays up.
/// Seeded, so a failure replays.
/// </summary>
public class QueryFuzzTests
{
    private AssetServerApp app = null!;
    private string imageId = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        app = new AssetServerApp(("RateLimits:TransformsPerMinute", "0"), ("Assets:TransformTimeout", "2s"));
        imageId = (await app.UploadOkAsync(TestImages.Jpeg(120, 80), "fuzz.jpg"))["id"]!.GetValue<string>();
    }

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    private static readonly string[] FilterSeeds =
    [
        "filter[title][_eq]=a",
        "filter={\"_and\":[{\"type\":{\"_eq\":\"image/jpeg\"}},{\"width\":{\"_gte\":3000}}]}",
        "filter[_or][0][filesize][_gt]=10&filter[_or][1][title][_null]=true",
        "filter[type][_in]=image/gif,image/png",
        "filter[filesize][_between]=1,100000",
        "sort=-filesize,title&limit=5&offset=1&meta=*",
        "fields=id,title&search=abc&page=2&limit=3",
        "filter={\"tags\":{\"_contains\":\"x\"}}",
    ];

    private static readonly string[] TransformSeeds =
    [
        "width=100&height=50&fit=cover",
        "key=thumb",
        "format=auto&quality=50",
        "transforms=[[\"rotate\",90],[\"blur\",2]]",
        "transforms=[[\"extract\",{\"left\":0,\"top\":0,\"width\":10,\"height\":10}]]",
        "width=30&withoutEnlargement=true&focal_point_x=10&focal_point_y=10",
        "transforms=[[\"tint\",\"#ff0000\"],[\"resize\",{\"width\":40}]]",
        "fit=contain&width=64&height=64&format=png",
    ];

    private static readonly string[] Nasty =
    [
        "", "-1", "0", "1e308", "99999999999999999999", "NaN", "null", "true", "[]", "{}", "[[[[[[[[[[", "]]]]", "\"", "'", "%00",
        "%ff%fe", "\u202e", "😀", "../../etc/passwd", "' OR 1=1 --", "{\"_and\":", "_eq", "[\"toFile\",\"/tmp/x\"]", "#zzz", "rgb(999,0,0)",
        new string('[', 500), new string('9', 400), "{\"a\":" + new string('[', 100),
    ];

    [Test]
    public async Task FilterParserNeverAnswers500() => await FuzzAsync("/files", FilterSeeds, seed: 1, count: 1500);

    [Test]
    public async Task TransformParserNeverAnswers500() => await FuzzAsync($"/assets/{imageId}", TransformSeeds, seed: 2, count: 1500);

    private async Task FuzzAsync(string path, string[] seeds, int seed, int count)
    {
        var random = new Random(seed);
        using var client = app.AdminClient();
        client.Timeout = TimeSpan.FromSeconds(30);
        var statuses = new Dictionary<int, int>();
        for (var i = 0; i < count; i++)
        {
            var query = Mutate(seeds[random.Next(seeds.Length)], random);
            using var res = await client.GetAsync($"{path}?{query}");
            statuses[(int)res.StatusCode] = statuses.GetValueOrDefault((int)res.StatusCode) + 1;
            Assert.That((int)res.StatusCode, Is.LessThan(500).Or.EqualTo(503), $"query #{i}: {query}");
            if ((int)res.StatusCode >= 400)
            {
                var body = JsonNode.Parse(await res.Content.ReadAsStringAsync())!;
                Assert.That(body["errors"]![0]!["extensions"]!["code"], Is.Not.Null, query);
            }
        }
        TestContext.Out.WriteLine(string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}")));
        Assert.That(statuses.Keys, Has.Some.LessThan(300), "some inputs should still be valid");
        Assert.That(statuses.Keys, Has.Some.InRange(400, 499), "some inputs should be refused");
        Assert.That((await client.GetAsync("/server/ping")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    /// <summary>Splits the seed into key=value pairs and damages some: swapped values, cut text, doubled keys, nasty values.</summary>
    private static string Mutate(string seed, Random random)
    {
        var pairs = seed.Split('&').Select(p => p.Split('=', 2)).Select(p => (Key: p[0], Value: p.Length > 1 ? p[1] : "")).ToList();
        var rounds = random.Next(0, 4);
        for (var r = 0; r < rounds; r++)
        {
            var i = random.Next(pairs.Count);
            var (key, value) = pairs[i];
            pairs[i] = random.Next(6) switch
            {
                0 => (key, Nasty[random.Next(Nasty.Length)]),
                1 => (key, value.Length > 1 ? value[..random.Next(value.Length)] : value),
                2 => (key + "[" + Nasty[random.Next(Nasty.Length)] + "]", value),
                3 => (key, value + Nasty[random.Next(Nasty.Length)]),
                4 => (key, FlipChar(value, random)),
                _ => (Nasty[random.Next(Nasty.Length)], value),
            };
            if (random.Next(5) == 0) pairs.Add(pairs[random.Next(pairs.Count)]);
        }
        return string.Join('&', pairs.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
    }

    private static string FlipChar(string value, Random random)
    {
        if (value.Length == 0) return value;
        var chars = new StringBuilder(value);
        const string alphabet = "{}[]\",:0-9a_";
        chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
        return chars.ToString();
    }
}
