using System.Text.Json;
using System.Text.Json.Nodes;
using AssetServer.Errors;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace AssetServer.Files;

/// <summary>Reads and writes the JSON of the API: bounded bodies in, <c>{"data":…}</c> out.</summary>
public static class JsonBody
{
    private const long MaxJsonBytes = 10L << 20;

    /// <summary>Plain UTF-8 and unescaped quotes, as Directus writes (safe: the body is never HTML).</summary>
    public static readonly JsonSerializerOptions Wire = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// How every JSON text from a client is parsed (bodies, query parameters, multipart fields): bounded depth, and a
    /// repeated key is malformed JSON. System.Text.Json accepts one by default and only fails when the object is first
    /// read, far from the edge, as an unexpected error.
    /// </summary>
    public static readonly JsonDocumentOptions ClientJson = new() { MaxDepth = 32, AllowDuplicateProperties = false };

    /// <summary>Parses a client's JSON text with <see cref="ClientJson"/>; throws <see cref="JsonException"/> when malformed.</summary>
    public static JsonNode? Parse(string text) => JsonNode.Parse(text, documentOptions: ClientJson);

    public static bool IsJson(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var type) &&
        (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
         type.MediaType.Value?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>The body as JSON, or INVALID_PAYLOAD; a body that is not JSON at all is UNSUPPORTED_MEDIA_TYPE.</summary>
    public static async Task<JsonNode?> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (!IsJson(request))
            throw ApiErrors.UnsupportedMediaType($"Expected application/json but received \"{request.ContentType ?? "no Content-Type"}\"");
        var limit = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (limit is { IsReadOnly: false }) limit.MaxRequestBodySize = MaxJsonBytes;

        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        try
        {
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > MaxJsonBytes) throw ApiErrors.ContentTooLarge(MaxJsonBytes);
            }
        }
        catch (IOException e) when (e is not BadHttpRequestException && !ct.IsCancellationRequested)
        {
            // Kestrel reports some broken framings as a bare IOException (a chunk size past 32 bits is an
            // OverflowException inside one); the body is read into memory, so no disk is involved.
            throw ApiErrors.InvalidPayload($"Malformed request body: {e.Message}");
        }
        if (buffer.Length == 0) throw ApiErrors.InvalidPayload("The request body is empty");
        try
        {
            return JsonNode.Parse(buffer.ToArray(), documentOptions: ClientJson);
        }
        catch (JsonException e)
        {
            throw ApiErrors.InvalidPayload($"Malformed JSON: {e.Message}");
        }
    }

    public static async Task<JsonObject> ReadObjectAsync(HttpRequest request, CancellationToken ct) =>
        await ReadAsync(request, ct) as JsonObject ?? throw ApiErrors.InvalidPayload("The body must be a JSON object");

    /// <summary><c>{"data": …}</c> with Directus's API headers.</summary>
    public static IResult Data(JsonNode? data, JsonObject? meta = null)
    {
        var body = new JsonObject { ["data"] = data };
        if (meta is not null) body["meta"] = meta;
        return new JsonResult(body.ToJsonString(Wire));
    }

    /// <summary>
    /// <c>{"data": […], "meta": …}</c> written item by item to the response as <paramref name="items"/> yields them,
    /// flushed every few KiB: a list as large as the limits allow never sits in memory whole (issue 9).
    /// </summary>
    public static IResult DataStream<T>(IAsyncEnumerable<T> items, Action<Utf8JsonWriter, T> write, JsonObject? meta = null) =>
        new StreamedResult<T>(items, write, meta);

    private const int FlushBytes = 16 * 1024;

    private static readonly JsonWriterOptions WireWriter = new() { Encoder = Wire.Encoder };

    private static void WriteHeaders(HttpResponse response)
    {
        response.StatusCode = 200;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
    }

    private sealed class JsonResult(string json) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            WriteHeaders(context.Response);
            return context.Response.WriteAsync(json, context.RequestAborted);
        }
    }

    private sealed class StreamedResult<T>(IAsyncEnumerable<T> items, Action<Utf8JsonWriter, T> write, JsonObject? meta) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            var ct = context.RequestAborted;
            await using var rows = items.GetAsyncEnumerator(ct);
            // The first item is read before anything is sent, so a statement that fails still gets its error response.
            var more = await rows.MoveNextAsync();
            WriteHeaders(context.Response);
            var body = context.Response.BodyWriter;
            await using var writer = new Utf8JsonWriter(body, WireWriter);
            writer.WriteStartObject();
            writer.WriteStartArray("data");
            long flushed = 0;
            for (; more; more = await NextOrCutAsync(rows, context))
            {
                write(writer, rows.Current);
                if (writer.BytesCommitted + writer.BytesPending - flushed < FlushBytes) continue;
                writer.Flush();
                // A client that went away stops the reading too.
                if ((await body.FlushAsync(ct)).IsCompleted) return;
                flushed = writer.BytesCommitted;
            }
            if (context.RequestAborted.IsCancellationRequested) return;
            writer.WriteEndArray();
            if (meta is not null)
            {
                writer.WritePropertyName("meta");
                meta.WriteTo(writer);
            }
            writer.WriteEndObject();
            writer.Flush();
            await body.FlushAsync(ct);
        }
    }

    /// <summary>
    /// The next item of a list whose answer has begun. A refusal from the core now (the read budget spent, issue 17)
    /// can no longer be a status code: the answer is cut by resetting the connection, so the client sees a broken
    /// transfer (HTTP/1.1: no closing chunk; HTTP/2: a reset stream) and never takes a partial list for a whole one.
    /// </summary>
    internal static async ValueTask<bool> NextOrCutAsync<T>(IAsyncEnumerator<T> rows, HttpContext context)
    {
        try
        {
            return await rows.MoveNextAsync();
        }
        catch (ApiException e)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(JsonBody))
                .LogWarning("{Method} {Path}: list answer cut after it began: {Code} {Message}",
                    context.Request.Method, context.Request.Path, e.Code, e.Message);
            context.Abort();
            return false;
        }
    }
}
