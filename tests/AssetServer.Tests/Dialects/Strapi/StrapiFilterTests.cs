using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Strapi.StrapiKit;

namespace AssetServer.Tests.Strapi;

/// <summary>
/// Strapi's query language on both list routes (issue 10): every operator, groups, array forms, <c>size</c> in KB,
/// <c>sort</c>, <c>fields</c>, and the 400s for unknown keys. Each test uploads its own four files and scopes every
/// query to them with <c>filters[$and][0][name][$startsWith]=&lt;prefix&gt;</c>.
/// </summary>
public class StrapiFilterTests : AdminAppFixture
{
    /// <summary>
    /// The four files of a test, in upload order (so in id order). Names start with a prefix of <c>q</c> and hex digits,
    /// so no letter past <c>f</c> but <c>q</c> ever comes from the prefix.
    /// </summary>
    private sealed record Set(string Prefix, Dictionary<char, JsonObject> Files)
    {
        public long IdOf(char letter) => Id(Files[letter]);

        public string NameOf(char letter) => Str(Files[letter], "name");
    }

    private async Task<Set> UploadSetAsync()
    {
        var prefix = "q" + Guid.NewGuid().ToString("N")[..12];
        var created = await UploadOkAsync(client,
            StrapiPart.File("a.txt", TextBytes(1500), "text/plain"),
            StrapiPart.File("b.txt", TextBytes(2500), "text/plain"),
            StrapiPart.File("c.txt", TextBytes(3500), "text/plain"),
            StrapiPart.File("d.txt", TextBytes(4500), "text/plain"),
            StrapiPart.FileInfo($$"""
                [{"name":"{{prefix}}alpha one","caption":"Red apple","alternativeText":"first"},
                 {"name":"{{prefix}}bravo two","caption":"green APPLE"},
                 {"name":"{{prefix}}charlie three"},
                 {"name":"{{prefix}}delta four","caption":"Blue","alternativeText":"fourth"}]
                """));
        return new Set(prefix, new Dictionary<char, JsonObject>
        {
            ['A'] = created[0]!.AsObject(), ['B'] = created[1]!.AsObject(), ['C'] = created[2]!.AsObject(), ['D'] = created[3]!.AsObject(),
        });
    }

    /// <summary>The letters of the set's files that <paramref name="condition"/> (a query fragment under <c>filters[$and][1]</c>) selects, read from both list routes.</summary>
    private async Task<string> MatchAsync(Set set, string condition, string extra = "")
    {
        var query = $"filters[$and][0][name][$startsWith]={Q(set.Prefix)}&{Scoped(condition)}{extra}";
        var flat = (await GetJsonAsync(client, "/api/upload/files?" + query)).AsArray();
        var page = (await GetJsonAsync(client, "/api/upload/files/page?" + query))["data"]!.AsArray();
        var letters = Letters(set, flat);
        Assert.That(Letters(set, page), Is.EqualTo(letters), "/files/page selects what /files selects");
        return letters;
    }

    /// <summary><c>[caption][$eq]=x</c> → <c>filters[$and][1][caption][$eq]=x</c>; every fragment joined by <c>&amp;</c> gets the prefix.</summary>
    private static string Scoped(string condition) =>
        string.Join("&", condition.Split('&').Select(part => "filters[$and][1]" + part));

    private static string Letters(Set set, JsonArray files) =>
        string.Concat(files.Select(f => set.Files.Single(p => Id(p.Value) == Id(f!)).Key));

    /// <summary>Operator, condition (ids and names filled in from the set) and the files it selects (A 1.5 KB … D 4.5 KB).</summary>
    public static IEnumerable<TestCaseData> Operators()
    {
        TestCaseData Case(string condition, string expected, string name) => new TestCaseData(condition, expected).SetName($"Operator {name}: {condition} → {(expected.Length == 0 ? "none" : expected)}");

        yield return Case("[caption][$eq]=Red%20apple", "A", "$eq");
        yield return Case("[caption][$eq]=red%20apple", "", "$eq is case-sensitive");
        yield return Case("[caption]=Blue", "D", "bare value is $eq");
        yield return Case("[caption][$eqi]=RED%20APPLE", "A", "$eqi");
        yield return Case("[caption][$ne]=Red%20apple", "BD", "$ne");
        yield return Case("[name][$nei]={B:name:upper}", "ACD", "$nei");
        yield return Case("[size][$lt]=2.5", "A", "$lt (KB)");
        yield return Case("[size][$lte]=2.5", "AB", "$lte (KB)");
        yield return Case("[size][$gt]=3.5", "D", "$gt (KB)");
        yield return Case("[size][$gte]=3.5", "CD", "$gte (KB)");
        yield return Case("[id][$gt]={B:id}", "CD", "$gt on id");
        yield return Case("[id][$lte]={B:id}", "AB", "$lte on id");
        yield return Case("[id][$in][0]={A:id}&[id][$in][1]={C:id}", "AC", "$in array form");
        yield return Case("[id][$in]={D:id}", "D", "$in single value");
        yield return Case("[id][$notIn][0]={B:id}&[id][$notIn][1]={D:id}", "AC", "$notIn array form");
        yield return Case("[caption][$notIn][0]=Blue", "AB", "$notIn leaves out nulls");
        yield return Case("[caption][$contains]=apple", "AB", "$contains (case-insensitive on SQLite)");
        yield return Case("[name][$notContains]=t", "A", "$notContains");
        yield return Case("[caption][$containsi]=APPLE", "AB", "$containsi");
        yield return Case("[name][$notContainsi]=T", "A", "$notContainsi");
        yield return Case("[caption][$null]=true", "C", "$null");
        yield return Case("[caption][$null]=false", "ABD", "$null false");
        yield return Case("[alternativeText][$notNull]=true", "AD", "$notNull");
        yield return Case("[alternativeText][$notNull]=false", "BC", "$notNull false");
        yield return Case("[size][$between][0]=2&[size][$between][1]=4", "BC", "$between (KB)");
        yield return Case("[size][$between]=1,2.5", "AB", "$between comma form");
        yield return Case("[name][$startsWith]={C:name}", "C", "$startsWith");
        yield return Case("[name][$startsWithi]={C:name:upper}", "C", "$startsWithi");
        yield return Case("[name][$endsWith]=two", "B", "$endsWith");
        yield return Case("[name][$endsWithi]=TWO", "B", "$endsWithi");
        yield return Case("[$and][0][caption][$containsi]=apple&[$and][1][size][$gt]=2", "B", "$and");
        yield return Case("[$or][0][caption][$eq]=Blue&[$or][1][size][$lt]=2", "AD", "$or");
        yield return Case("[$not][caption][$containsi]=apple", "D", "$not leaves out nulls as Strapi does");
        yield return Case("[$or][0][$and][0][size][$gt]=1&[$or][0][$and][1][size][$lt]=2&[$or][1][name][$endsWith]=four", "AD", "nested groups");
        yield return Case("[caption][$containsi]=apple&[size][$gt]=2", "B", "two fields in one group are both required");
        yield return Case("[size][$gt]=1&[size][$lt]=3", "AB", "two operators on one field are both required");
    }

    [TestCaseSource(nameof(Operators))]
    public async Task FilterSelectsExactlyItsFilesOnBothListRoutes(string condition, string expected)
    {
        var set = await UploadSetAsync();
        Assert.That(await MatchAsync(set, Fill(set, condition)), Is.EqualTo(expected));
    }

    /// <summary><c>{B:id}</c>, <c>{C:name}</c>, <c>{C:name:upper}</c> → the value of that file, query-escaped.</summary>
    private static string Fill(Set set, string condition)
    {
        foreach (var letter in "ABCD")
        {
            condition = condition.Replace($"{{{letter}:id}}", set.IdOf(letter).ToString(System.Globalization.CultureInfo.InvariantCulture));
            condition = condition.Replace($"{{{letter}:name:upper}}", Q(set.NameOf(letter).ToUpperInvariant()));
            condition = condition.Replace($"{{{letter}:name}}", Q(set.NameOf(letter)));
        }
        return condition;
    }

    /// <summary>
    /// Strapi's negated text operators are SQL <c>NOT LIKE</c> / <c>&lt;&gt;</c> (database/query/helpers/where):
    /// a file whose field is null is unknown, so left out, as <c>$ne</c> and <c>$notIn</c> already do here.
    /// C has no caption, so none of these may select it.
    /// </summary>
    [TestCase("[caption][$nei]=BLUE", "AB")]
    [TestCase("[caption][$notContains]=apple", "D")]
    [TestCase("[caption][$notContainsi]=APPLE", "D")]
    public async Task NegatedOperatorsLeaveOutFilesWhoseFieldIsNull(string condition, string expected)
    {
        var set = await UploadSetAsync();
        Assert.That(await MatchAsync(set, condition), Is.EqualTo(expected));
    }

    /// <summary>Strapi's <c>$startsWith</c>/<c>$endsWith</c> are SQL <c>LIKE</c>, which SQLite compares without case, as <c>$contains</c>.</summary>
    [TestCase("[name][$startsWith]={C:name:upper}", "C")]
    [TestCase("[name][$endsWith]=TWO", "B")]
    public async Task StartsWithAndEndsWithIgnoreCaseAsContainsDoes(string condition, string expected)
    {
        var set = await UploadSetAsync();
        Assert.That(await MatchAsync(set, Fill(set, condition)), Is.EqualTo(expected));
    }

    [Test]
    public async Task SortBySizeDescending()
    {
        var set = await UploadSetAsync();
        Assert.That(await MatchAsync(set, "[size][$gt]=0", "&sort=size:desc"), Is.EqualTo("DCBA"));
        Assert.That(await MatchAsync(set, "[size][$gt]=0", "&sort=size"), Is.EqualTo("ABCD"), "ascending when no direction is given");
    }

    [Test]
    public async Task SortArrayFormAndSeveralKeys()
    {
        var set = await UploadSetAsync();
        Assert.That(await MatchAsync(set, "[size][$gt]=0", "&sort[0]=name:desc"), Is.EqualTo("DCBA"));
        Assert.That(await MatchAsync(set, "[size][$gt]=0", "&sort[0]=name:asc"), Is.EqualTo("ABCD"));
        Assert.That(await MatchAsync(set, "[size][$gt]=0", "&sort[0]=alternativeText:asc&sort[1]=id:desc"), Is.EqualTo("CBAD"),
            "nulls first (SQLite), then by the second key");
        Assert.That(await MatchAsync(set, "[size][$gt]=0", "&sort=caption:asc,id:desc"), Is.EqualTo("CDAB"), "nulls first, then binary order (capitals first), as SQLite sorts");
    }

    [Test]
    public async Task FieldsKeepsIdAndDocumentId()
    {
        var set = await UploadSetAsync();
        var query = $"filters[name][$startsWith]={Q(set.Prefix)}&fields[0]=name";
        foreach (var url in new[] { "/api/upload/files?" + query, "/api/upload/files/page?" + query })
        {
            var body = await GetJsonAsync(client, url);
            var files = (body as JsonArray ?? body["data"]!.AsArray()).Select(f => f!.AsObject()).ToList();
            Assert.That(files, Has.Count.EqualTo(4), url);
            Assert.That(files[0].Select(p => p.Key), Is.EquivalentTo(new[] { "id", "documentId", "name", "isUrlSigned" }), url);
            Assert.That(Id(files[0]), Is.EqualTo(set.IdOf('A')));
            Assert.That(Str(files[0], "documentId"), Is.EqualTo(Str(set.Files['A'], "documentId")));
            Assert.That(Str(files[0], "name"), Is.EqualTo(set.NameOf('A')));
        }

        var two = await GetJsonAsync(client, $"/api/upload/files?filters[name][$startsWith]={Q(set.Prefix)}&fields[0]=name&fields[1]=size");
        Assert.That(two[0]!.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "id", "documentId", "name", "size", "isUrlSigned" }));
        Assert.That(two[0]!["size"]!.GetValue<double>(), Is.EqualTo(1.5));
    }

    [Test]
    public async Task FieldsWorksOnTheSingleFileRoute()
    {
        var set = await UploadSetAsync();
        var one = await GetJsonAsync(client, $"/api/upload/files/{set.IdOf('B')}?fields[0]=caption");
        Assert.That(one.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "id", "documentId", "caption", "isUrlSigned" }));
        Assert.That(Str(one, "caption"), Is.EqualTo("green APPLE"));
    }

    [Test]
    public async Task SqlInAValueMatchesNothingAndBreaksNothing()
    {
        var set = await UploadSetAsync();
        foreach (var op in new[] { "$eq", "$containsi", "$startsWith", "$in" })
            Assert.That(await MatchAsync(set, $"[name][{op}]={Q("' OR 1=1 --")}"), Is.Empty, op);
        Assert.That(await MatchAsync(set, $"[caption][$eq]={Q("x'); DROP TABLE files; --")}"), Is.Empty);
        Assert.That(await MatchAsync(set, "[size][$gt]=0"), Is.EqualTo("ABCD"), "every file is still there");

        // The text is data: a file named exactly so is found by it, and only that one.
        var name = set.Prefix + "' OR 1=1 --";
        var tricky = await UploadOneAsync(client, TextBytes(10), "tricky.txt", "text/plain", new JsonObject { ["name"] = name }.ToJsonString());
        var found = (await GetJsonAsync(client, $"/api/upload/files?filters[name][$eq]={Q(name)}")).AsArray();
        Assert.That(found.Select(Id), Is.EqualTo(new[] { Id(tricky) }));
    }

    [Test]
    public async Task UnknownOperatorIsAValidationErrorNamingItAndItsField()
    {
        foreach (var route in new[] { "/api/upload/files", "/api/upload/files/page" })
        {
            using var response = await client.GetAsync(route + "?filters[mime][$bogus]=x");
            var error = await AssertErrorAsync(response, HttpStatusCode.BadRequest, "ValidationError", "Invalid key $bogus at mime");
            Assert.That(error["details"]!.ToJsonString(), Is.EqualTo("""{"key":"$bogus","source":"query","param":"filters"}"""), route);
        }
    }

    [Test]
    public async Task UnknownFieldInFiltersIsAValidationError()
    {
        foreach (var route in new[] { "/api/upload/files", "/api/upload/files/page" })
        {
            using var response = await client.GetAsync(route + "?filters[nosuch][$eq]=x");
            var error = await AssertErrorAsync(response, HttpStatusCode.BadRequest, "ValidationError", "Invalid key nosuch");
            Assert.That(Str(error["details"]!, "param"), Is.EqualTo("filters"), route);
            Assert.That(Str(error["details"]!, "key"), Is.EqualTo("nosuch"), route);
        }
    }

    [Test]
    public async Task UnknownFieldInSortIsAValidationError()
    {
        foreach (var query in new[] { "sort=nosuch:asc", "sort[0]=nosuch:desc" })
        {
            using var response = await client.GetAsync("/api/upload/files?" + query);
            var error = await AssertErrorAsync(response, HttpStatusCode.BadRequest, "ValidationError", "Invalid key nosuch");
            Assert.That(Str(error["details"]!, "param"), Is.EqualTo("sort"), query);
            Assert.That(Str(error["details"]!, "source"), Is.EqualTo("query"), query);
        }
    }

    [Test]
    public async Task UnknownOperatorInsideAGroupIsStillRefused()
    {
        using var response = await client.GetAsync("/api/upload/files?filters[$or][0][name][$like]=x");
        var error = await AssertErrorAsync(response, HttpStatusCode.BadRequest, "ValidationError", "Invalid key $like at name");
        Assert.That(Str(error["details"]!, "param"), Is.EqualTo("filters"));
    }
}
