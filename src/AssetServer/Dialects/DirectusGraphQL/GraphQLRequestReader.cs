using System.Text;
using System.Text.Json;
using AssetServer.Errors;
using AssetServer.Files;
using GraphQL;
using GraphQL.SystemTextJson;
using GraphQL.Transport;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace AssetServer.GraphQL;

/// <summary>
/// Reads a GraphQL request as Directus takes it: a JSON body <c>{"query","variables","operationName"}</c>, an
/// <c>application/graphql</c> body that is the query itself, or GET parameters of the same names. Nothing over
/// <c>GraphQL:MaxQueryBytes</c> is read whole, let alone parsed: a declared length over it is refused before the first
/// byte, and the bytes are counted as they arrive. JSON is read as every client JSON is (<see cref="JsonBody.ClientJson"/>):
/// a repeated key, in the body or in <c>variables</c>, is malformed.
/// </summary>
public sealed class GraphQLRequestReader(IOptions<GraphQLOptions> options, GraphQLSerializer serializer)
{
    private int Limit => options.Value.MaxQueryBytes;

    public GraphQLRequest ReadGet(HttpRequest request)
    {
        var query = request.Query["query"].ToString();
        var variables = request.Query["variables"].ToString();
        if (Encoding.UTF8.GetByteCount(query) + Encoding.UTF8.GetByteCount(variables) > Limit) throw GraphQLErrors.TooLarge(Limit);
        Inputs? inputs = null;
        if (variables.Length > 0)
        {
            try
            {
                using var json = JsonDocument.Parse(variables, JsonBody.ClientJson);
                inputs = serializer.ReadNode<Inputs>(json.RootElement);
            }
            catch (JsonException e)
            {
                throw ApiErrors.InvalidQuery($"Variables are invalid JSON: {e.Message}");
            }
        }
        var operationName = request.Query["operationName"].ToString();
        return new GraphQLRequest { Query = query, Variables = inputs, OperationName = operationName.Length == 0 ? null : operationName };
    }

    public async Task<GraphQLRequest> ReadPostAsync(HttpRequest request, CancellationToken ct)
    {
        var isQueryText = MediaTypeHeaderValue.TryParse(request.ContentType, out var type) &&
                          type.MediaType.Equals("application/graphql", StringComparison.OrdinalIgnoreCase);
        if (!isQueryText && !JsonBody.IsJson(request))
            throw ApiErrors.UnsupportedMediaType($"Expected application/json or application/graphql but received \"{request.ContentType ?? "no Content-Type"}\"");
        var body = await ReadBodyAsync(request, ct);
        if (isQueryText) return new GraphQLRequest { Query = body };
        if (body.Length == 0) throw ApiErrors.InvalidPayload("The request body is empty");
        try
        {
            // Parsed as every client JSON is (JsonBody.ClientJson), so a repeated key, at the top or anywhere in
            // "variables", is malformed JSON (400), not an ArgumentException from the converter (500).
            using var json = JsonDocument.Parse(body, JsonBody.ClientJson);
            if (json.RootElement.ValueKind != JsonValueKind.Object) throw ApiErrors.InvalidPayload("The body must be a JSON object");
            return serializer.ReadNode<GraphQLRequest>(json.RootElement) ?? throw ApiErrors.InvalidPayload("The body must be a JSON object");
        }
        catch (JsonException e)
        {
            throw ApiErrors.InvalidPayload($"Malformed JSON: {e.Message}");
        }
    }

    private async Task<string> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > Limit) throw GraphQLErrors.TooLarge(Limit);
        // Kestrel then refuses a longer chunked body itself; the count below covers servers that do not.
        var sizeLimit = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeLimit is { IsReadOnly: false }) sizeLimit.MaxRequestBodySize = Limit;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        try
        {
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > Limit) throw GraphQLErrors.TooLarge(Limit);
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw GraphQLErrors.TooLarge(Limit);
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            throw ApiErrors.InvalidPayload("The body is not UTF-8 text");
        }
    }
}
