using System.Net;
using System.Text.Json.Nodes;
using AssetServer.OpenApi;
using AssetServer.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using NUnit.Framework;

namespace AssetServer.Tests.OpenApi;

/// <summary>Issue 12: <c>/server/specs/oas</c> is a valid OpenAPI document of every route; <c>/docs</c> shows it.</summary>
public class OpenApiTests : AdminAppFixture
{
    private string json = null!;
    private OpenApiDocument document = null!;

    [OneTimeSetUp]
    public async Task ReadTheDocument()
    {
        using var anonymous = app.AnonymousClient();
        using var res = await anonymous.GetAsync(OpenApiSetup.SpecPath);
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the description needs no token");
        json = await res.Content.ReadAsStringAsync();
        var read = OpenApiDocument.Parse(json, "json");
        Assert.That(read.Diagnostic?.Errors, Is.Empty, string.Join("; ", read.Diagnostic?.Errors.Select(e => e.Message) ?? []));
        document = read.Document!;
    }

    /// <summary>Every endpoint the app maps, as <c>METHOD /pattern</c> (SEARCH aside: OpenAPI 3.1 has no such method).</summary>
    private IEnumerable<(string Method, string Path)> MappedRoutes()
    {
        var sources = app.Services.GetRequiredService<IEnumerable<EndpointDataSource>>();
        foreach (var endpoint in sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            var path = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/').Replace("{**", "{").Replace("{*", "{");
            // The document's own routes, the reference page and the v8 project's catch-all for unknown routes.
            if (path == OpenApiSetup.SpecPath || path.StartsWith("/docs", StringComparison.Ordinal) || path.Contains("{rest}") || path.Contains("{**")) continue;
            foreach (var method in methods.Where(m => m != "SEARCH")) yield return (method, path);
        }
    }

    [Test]
    public void EveryMappedRouteIsInTheDocument()
    {
        var missing = new List<string>();
        foreach (var (method, path) in MappedRoutes())
        {
            var found = document.Paths.TryGetValue(path, out var item) &&
                        item.Operations!.Keys.Any(k => string.Equals(k.Method, method, StringComparison.OrdinalIgnoreCase));
            if (!found) missing.Add($"{method} {path}");
        }
        Assert.That(missing, Is.Empty);
        Assert.That(MappedRoutes().Count(), Is.GreaterThan(40), "the whole API, every dialect");
    }

    [Test]
    public void EveryOperationHasASummaryAnAnswerAndItsDialectsErrorShape()
    {
        foreach (var (path, item) in document.Paths)
        foreach (var (method, operation) in item.Operations!)
        {
            var name = $"{method} {path}";
            Assert.That(operation.Summary, Is.Not.Null.And.Not.Empty, name);
            Assert.That(operation.Responses!.Keys.Any(k => k.StartsWith('2')), name);
            var expected = RouteDocs.DialectOf(path) switch
            {
                Dialect.Strapi5 => OpenApiSchemas.StrapiError,
                Dialect.Strapi3 => OpenApiSchemas.Strapi3Error,
                Dialect.V8 => OpenApiSchemas.V8Error,
                _ => OpenApiSchemas.DirectusError,
            };
            var error = operation.Responses!["400"].Content!["application/json"].Schema as OpenApiSchemaReference;
            Assert.That(error?.Reference.Id, Is.EqualTo(expected), name);
        }
    }

    [Test]
    public void FileObjectsAndParametersAreDescribed()
    {
        var schemas = document.Components!.Schemas!;
        foreach (var name in new[] { OpenApiSchemas.DirectusFile, OpenApiSchemas.StrapiFile, OpenApiSchemas.V8File, OpenApiSchemas.DirectusError, OpenApiSchemas.StrapiError, OpenApiSchemas.V8Error })
            Assert.That(schemas.ContainsKey(name), name);
        Assert.That(schemas[OpenApiSchemas.DirectusFile].Properties!.Keys, Does.Contain("filename_download").And.Contain("focal_point_x"));
        Assert.That(schemas[OpenApiSchemas.DirectusFile].Properties!.Keys, Does.Not.Contain("numeric_id"), "Directus's object only");
        Assert.That(schemas[OpenApiSchemas.StrapiFile].Properties!.Keys, Does.Contain("documentId").And.Contain("formats"));

        var list = document.Paths["/files"].Operations!.First(o => o.Key.Method == "GET").Value;
        Assert.That(list.Parameters!.Select(p => p.Name), Is.SupersetOf(new[] { "filter", "sort", "limit", "meta", "search" }));
        var upload = document.Paths["/api/upload"].Operations!.First(o => o.Key.Method == "POST").Value;
        Assert.That(upload.RequestBody!.Content!.Keys, Does.Contain("multipart/form-data"));
        Assert.That(upload.Responses!.Keys, Does.Contain("201"));
        var asset = document.Paths["/assets/{id}"].Operations!.First(o => o.Key.Method == "GET").Value;
        Assert.That(asset.Parameters!.Select(p => p.Name), Is.SupersetOf(new[] { "key", "width", "height", "fit", "format", "transforms" }));
    }

    [Test]
    public async Task TheReferencePageServesTheDocument()
    {
        using var anonymous = app.AnonymousClient();
        using var res = await anonymous.GetAsync("/docs/");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var html = await res.Content.ReadAsStringAsync();
        Assert.That(res.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/html"));
        // Scalar resolves the source against the site's root: "server/specs/oas" from /docs/ is /server/specs/oas.
        Assert.That(html, Does.Contain("\"url\":\"" + OpenApiSetup.SpecPath.TrimStart('/') + "\""));
        using var script = await anonymous.GetAsync("/docs/scalar.js");
        Assert.That(script.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the viewer is served by the app, not from a CDN");
        Assert.That((await script.Content.ReadAsByteArrayAsync()).Length, Is.GreaterThan(100_000));
    }
}
