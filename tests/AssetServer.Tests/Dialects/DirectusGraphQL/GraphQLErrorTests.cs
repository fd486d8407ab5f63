using System.Net;
using System.Text;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Files.FilesKit;
using static AssetServer.Tests.GraphQL.GraphQLKit;

namespace AssetServer.Tests.GraphQL;

/// <summary>
/// Directus's GraphQL error shapes, and the bounds: a document that does not parse or validate is a 400
/// <c>GRAPHQL_VALIDATION</c> with the messages and locations; depth, complexity and size are refused before anything runs.
/// </summary>
public class GraphQLErrorTests : AdminAppFixture
{
    [Test]
    public async Task UnknownFieldIsAValidationErrorWithItsLocation()
    {
        var errors = await ValidationErrorsAsync(await PostAsync(client, "{\n  files {\n    id\n    bogus\n  }\n}"));
        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0]!["message"]!.GetValue<string>(), Does.Contain("bogus"));
        var location = errors[0]!["locations"]![0]!;
        Assert.That((location["line"]!.GetValue<int>(), location["column"]!.GetValue<int>()), Is.EqualTo((4, 5)));
    }

    [Test]
    public async Task EveryValidationErrorIsListed()
    {
        var errors = await ValidationErrorsAsync(await PostAsync(client, "{ files(nope: 1) { bogus } nothing }"));
        Assert.That(errors, Has.Count.EqualTo(3));
        Assert.That(errors.Select(e => e!["locations"]![0]!["column"]!.GetValue<int>()), Is.EquivalentTo(new[] { 9, 20, 28 }));
    }

    [Test]
    public async Task SyntaxErrorIsAValidationErrorWithItsLocation()
    {
        var errors = await ValidationErrorsAsync(await PostAsync(client, "{ files { id }"));
        Assert.That(errors[0]!["message"]!.GetValue<string>(), Does.StartWith("Syntax Error:"));
        Assert.That(errors[0]!["locations"]![0]!["column"]!.GetValue<int>(), Is.EqualTo(15));
    }

    [TestCase("query($n: Int) { files(limit: $n) { id } }", """{"n":"many"}""")]
    [TestCase("query($n: Int!) { files(limit: $n) { id } }", "{}")]
    [TestCase("query($f: directus_files_filter) { files(filter: $f) { id } }", """{"f":{"bogus":{"_eq":1}}}""")]
    [TestCase("{ files(limit: \"ten\") { id } }", null)]
    [TestCase("{ files(filter: {title: {_like: \"x\"}}) { id } }", null)]
    [TestCase("{ files_by_id { id } }", null)]
    [TestCase("{ files }", null)]
    [TestCase("query A { files { id } } query B { files { id } }", null)]
    [TestCase("fragment F on directus_files { ...G } fragment G on directus_files { ...F } { files { ...F } }", null)]
    public async Task InvalidDocumentsAndVariablesAreValidationErrors(string query, string? variables)
    {
        var body = new System.Text.Json.Nodes.JsonObject { ["query"] = query };
        if (variables is not null) body["variables"] = System.Text.Json.Nodes.JsonNode.Parse(variables);
        using var response = await client.PostAsync(GraphQLPath, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        await ValidationErrorsAsync(response);
    }

    [Test]
    public async Task UnknownOperationNameIsAValidationError()
    {
        await ValidationErrorsAsync(await PostAsync(client, "query A { files { id } }", operationName: "B"));
    }

    [Test]
    public async Task ErrorInAResolverIsAnEntryWithPathAndCode()
    {
        var body = await FieldErrorAsync(await PostAsync(client, "{ list: files(sort: [\"nope\"]) { id } }"), "INVALID_QUERY");
        var error = body["errors"]![0]!;
        Assert.That(error["message"]!.GetValue<string>(), Does.StartWith("Invalid query."));
        Assert.That(error["extensions"]!["reason"]!.GetValue<string>(), Does.Contain("nope"));
        Assert.That(error["path"]![0]!.GetValue<string>(), Is.EqualTo("list"));
    }

    [Test]
    public async Task DepthBombIsRefusedBeforeItRuns()
    {
        var nested = "name";
        for (var i = 0; i < 20; i++) nested = $"fields {{ type {{ {nested} }} }}";
        var errors = await ValidationErrorsAsync(await PostAsync(client, $"{{ __schema {{ types {{ {nested} }} }} }}"));
        Assert.That(errors[0]!["message"]!.GetValue<string>(), Does.Contain("too nested"));
    }

    [Test]
    public async Task AliasBombIsRefusedByComplexity()
    {
        var aliases = string.Join(' ', Enumerable.Range(0, 3001).Select(i => $"a{i}: files(limit: 1) {{ id }}"));
        var errors = await ValidationErrorsAsync(await PostAsync(client, $"{{ {aliases} }}"));
        Assert.That(errors[0]!["message"]!.GetValue<string>(), Does.Contain("too complex"));
    }

    [Test]
    public async Task ListCostFollowsItsLimit()
    {
        // 20 pages of every row at the cap (10000) cost far more than 20 pages of 25.
        var full = string.Join(' ', Enumerable.Range(0, 20).Select(i => $"a{i}: files(limit: -1) {{ id title }}"));
        await ValidationErrorsAsync(await PostAsync(client, $"{{ {full} }}"));
        var small = string.Join(' ', Enumerable.Range(0, 20).Select(i => $"a{i}: files(limit: 25) {{ id title }}"));
        await ResultAsync(await PostAsync(client, $"{{ {small} }}"));
    }

    [Test]
    public async Task StandardIntrospectionQueryIsAllowed()
    {
        var data = await ResultAsync(await PostAsync(client, IntrospectionQuery));
        var types = data["__schema"]!["types"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).ToList();
        Assert.That(types, Is.SupersetOf(new[]
        {
            "directus_files", "directus_files_filter", "directus_files_aggregated", "string_filter_operators",
            "number_filter_operators", "date_filter_operators", "update_directus_files_input", "JSON", "Date", "GraphQLBigInt",
        }));
    }

    [Test]
    public async Task TenMegabyteQueryIsRefusedBeforeParsing()
    {
        // A valid query padded with ignored commas: parsed, it would run and answer 200.
        var body = Encoding.UTF8.GetBytes("{\"query\":\"{ files(limit: 1) { id } " + new string(',', 10 << 20) + "\"}");
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var response = await client.PostAsync(GraphQLPath, content);
        var error = await AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "CONTENT_TOO_LARGE");
        Assert.That(error["message"]!.GetValue<string>(), Does.Contain("GraphQL:MaxQueryBytes"));
        Assert.That(error["extensions"]!["limit"]!.GetValue<int>(), Is.EqualTo(1 << 20));
    }

    [Test]
    public async Task OversizedBodyWithoutContentLengthIsRefusedWhileReading()
    {
        var body = Encoding.UTF8.GetBytes("{\"query\":\"{ files(limit: 1) { id } " + new string(' ', 2 << 20) + "\"}");
        using var content = new StreamContent(new UnknownLengthStream(body));
        content.Headers.ContentType = new("application/json");
        using var response = await client.PostAsync(GraphQLPath, content);
        await AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "CONTENT_TOO_LARGE");
    }

    [Test]
    public async Task OversizedGetQueryIsRefused()
    {
        var query = "{ files(limit: 1) { id } " + new string(' ', (1 << 20) + 1) + "}";
        using var response = await client.GetAsync($"{GraphQLPath}?query={Q(query)}");
        await AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "CONTENT_TOO_LARGE");
    }

    [Test]
    public async Task MaxQueryBytesIsConfigurable()
    {
        using var small = new AssetServerApp(("GraphQL:MaxQueryBytes", "100"));
        using var admin = small.AdminClient();
        await ResultAsync(await PostAsync(admin, "{ files { id } }"));
        await AssertErrorAsync(await PostAsync(admin, "{ files { id " + new string(' ', 100) + "} }"), HttpStatusCode.RequestEntityTooLarge, "CONTENT_TOO_LARGE");
    }

    [Test]
    public async Task DepthAndComplexityAreConfigurable()
    {
        using var strict = new AssetServerApp(("GraphQL:MaxDepth", "2"), ("GraphQL:MaxComplexity", "150"));
        using var admin = strict.AdminClient();
        await ResultAsync(await PostAsync(admin, "{ files(limit: 2) { id } }"));
        Assert.That((await ValidationErrorsAsync(await PostAsync(admin, "{ files_aggregated { count { id } } }")))[0]!["message"]!.GetValue<string>(), Does.Contain("too nested"));
        Assert.That((await ValidationErrorsAsync(await PostAsync(admin, "{ files(limit: 100) { id } }")))[0]!["message"]!.GetValue<string>(), Does.Contain("too complex"));
    }

    [TestCase("{\"variables\":{}}")]
    [TestCase("{\"query\":\"\"}")]
    [TestCase("{\"query\":")]
    [TestCase("[{\"query\":\"{ files { id } }\"}]")]
    public async Task BodyWithoutAQueryIsInvalidPayload(string json)
    {
        using var response = await client.PostAsync(GraphQLPath, new StringContent(json, Encoding.UTF8, "application/json"));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
    }

    [Test]
    public async Task GetWithoutAQueryIsInvalidPayload()
    {
        await AssertErrorAsync(await client.GetAsync(GraphQLPath), HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
    }

    [Test]
    public async Task OtherBodyTypesAreUnsupported()
    {
        using var response = await client.PostAsync(GraphQLPath, new StringContent("query={ files { id } }", Encoding.UTF8, "application/x-www-form-urlencoded"));
        await AssertErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
    }

    [TestCase("PUT", "/graphql/system")]
    [TestCase("GET", "/graphql")]
    [TestCase("POST", "/graphql/items")]
    public async Task OtherRoutesAndMethodsAreDirectusShaped(string method, string path)
    {
        using var response = await client.SendAsync(Request(method, path, Json("{}")));
        await AssertErrorAsync(response, HttpStatusCode.NotFound, "ROUTE_NOT_FOUND");
    }

    /// <summary>A body sent chunked: no Content-Length for the server to refuse up front.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    /// <summary>graphql-js's <c>getIntrospectionQuery()</c>, what GraphiQL and code generators send.</summary>
    private const string IntrospectionQuery = """
        query IntrospectionQuery {
          __schema {
            queryType { name } mutationType { name } subscriptionType { name }
            types { ...FullType }
            directives { name description locations args { ...InputValue } }
          }
        }
        fragment FullType on __Type {
          kind name description
          fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
          inputFields { ...InputValue }
          interfaces { ...TypeRef }
          enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
          possibleTypes { ...TypeRef }
        }
        fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
        fragment TypeRef on __Type {
          kind name
          ofType { kind name ofType { kind name ofType { kind name ofType { kind name
            ofType { kind name ofType { kind name ofType { kind name } } } } } } }
        }
        """;
}
