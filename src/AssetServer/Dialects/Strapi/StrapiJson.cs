using System.Text.Json;
using System.Text.Json.Nodes;
using AssetServer.Files;

namespace AssetServer.Strapi;

/// <summary>Strapi's answers are bare JSON (no Directus <c>data</c> wrapper, except <c>/files/page</c>).</summary>
public static class StrapiJson
{
    public static IResult Send(JsonNode body, int status = 200) => new Result(body, status);

    /// <summary>A JSON array written as <paramref name="items"/> yields, flushed as it goes: a list is never held whole.</summary>
    public static IResult Stream(IAsyncEnumerable<JsonObject> items) => new StreamedArray(items);

    private static void Headers(HttpResponse response, int status)
    {
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
    }

    private sealed class Result(JsonNode body, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            Headers(context.Response, status);
            return context.Response.WriteAsync(body.ToJsonString(JsonBody.Wire), context.RequestAborted);
        }
    }

    private sealed class StreamedArray(IAsyncEnumerable<JsonObject> items) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            var ct = context.RequestAborted;
            await using var rows = items.GetAsyncEnumerator(ct);
            // The first item is made before anything is sent, so a failing query still gets its error response.
            var more = await rows.MoveNextAsync();
            Headers(context.Response, 200);
            var body = context.Response.BodyWriter;
            await using var writer = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = JsonBody.Wire.Encoder });
            writer.WriteStartArray();
            for (; more; more = await JsonBody.NextOrCutAsync(rows, context))
            {
                rows.Current.WriteTo(writer);
                writer.Flush();
                if ((await body.FlushAsync(ct)).IsCompleted) return;
            }
            if (ct.IsCancellationRequested) return;
            writer.WriteEndArray();
            writer.Flush();
            await body.FlushAsync(ct);
        }
    }
}
