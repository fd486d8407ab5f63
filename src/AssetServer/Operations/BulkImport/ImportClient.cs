using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.StaticFiles;

namespace AssetServer.BulkImport;

/// <summary>
/// The three requests the import makes, over the public REST API only, so it works against any server that speaks
/// it: a probe (<c>GET /files</c>), which checksums are stored (<c>SEARCH /files</c>), and an upload
/// (<c>POST /files</c>, multipart, streamed from disk).
/// </summary>
public sealed class ImportClient : IDisposable
{
    /// <summary>Checksums per <c>SEARCH</c>: far below the server's 500 values per <c>_in</c> list, and one small body.</summary>
    public const int ChecksumBatch = 200;

    /// <summary>Questions about the catalogue are small: past this they are a network failure. Uploads have no limit.</summary>
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(60);

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    private static readonly HttpMethod Search = new("SEARCH");

    private readonly HttpClient http;

    public ImportClient(Uri server, string token, int parallel)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(15),
            // One connection per upload in flight, and one for the checksum questions asked meanwhile.
            MaxConnectionsPerServer = parallel + 1,
        };
        // Uploads of large files take as long as they take; cancellation (Ctrl-C) and the query timeout bound the rest.
        http = new HttpClient(handler) { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        http.DefaultRequestHeaders.UserAgent.ParseAdd("AssetServer-import/1.0");
    }

    public Uri Server => http.BaseAddress!;

    /// <summary>One tiny list request: the server answers, and the token is accepted, before any file is read.</summary>
    public async Task<ServerFailure?> ProbeAsync(CancellationToken ct)
    {
        var (_, failure) = await QueryAsync(() => new HttpRequestMessage(HttpMethod.Get, "files?limit=1&fields=id"), ct);
        return failure;
    }

    /// <summary>Which of <paramref name="checksums"/> (at most <see cref="ChecksumBatch"/>) the server already stores.</summary>
    public async Task<(HashSet<string> Stored, ServerFailure? Failure)> StoredChecksumsAsync(IReadOnlyCollection<string> checksums, CancellationToken ct)
    {
        // SEARCH with the query as JSON (Directus 10's form of GET /files): no URL length limit to mind.
        var query = new JsonObject
        {
            ["query"] = new JsonObject
            {
                ["filter"] = new JsonObject { ["checksum"] = new JsonObject { ["_in"] = new JsonArray(checksums.Select(c => (JsonNode)c).ToArray()) } },
                ["fields"] = new JsonArray("checksum"),
                ["limit"] = -1,
            },
        };
        var (body, failure) = await QueryAsync(() => new HttpRequestMessage(Search, "files")
        {
            Content = new StringContent(query.ToJsonString(), Encoding.UTF8, "application/json"),
        }, ct);
        var stored = new HashSet<string>(StringComparer.Ordinal);
        if (failure is not null) return (stored, failure);
        if (body?["data"] is not JsonArray rows)
            return (stored, new ServerFailure(FailureKind.Status, 200, "the answer to SEARCH /files has no \"data\" list"));
        foreach (var row in rows)
        {
            if (row?["checksum"] is JsonValue value && value.TryGetValue<string>(out var checksum)) stored.Add(checksum.ToLowerInvariant());
        }
        return (stored, null);
    }

    /// <summary>
    /// <c>POST /files</c> with one part <c>file</c>, named as the file is, streamed from disk; <paramref name="onBytes"/>
    /// hears each chunk as it goes out. Returns the new file's id.
    /// </summary>
    public async Task<(string? Id, ServerFailure? Failure)> UploadAsync(LocalFile file, Action<long> onBytes, CancellationToken ct)
    {
        FileStream source;
        try
        {
            source = FolderScan.OpenRead(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, new ServerFailure(FailureKind.Local, null, $"cannot read the file: {e.Message}"));
        }
        await using var _ = source;
        using var part = new StreamContent(new ReadProgressStream(source, onBytes), 1 << 16);
        part.Headers.ContentType = new MediaTypeHeaderValue(ContentTypeOf(file.Name));
        using var form = new MultipartFormDataContent();
        form.Add(part, "file", file.Name);
        try
        {
            using var response = await http.PostAsync("files", form, ct);
            if (!response.IsSuccessStatusCode) return (null, await ServerFailure.FromAnswerAsync(response, ct));
            var body = await ReadJsonAsync(response, ct);
            // One file sent, so one object back; an array is what a server sends for several.
            var data = body?["data"] is JsonArray { Count: 1 } one ? one[0] : body?["data"];
            return (data?["id"]?.ToString(), null);
        }
        catch (Exception e) when (Unwrap<ReadProgressStream.LocalReadException>(e) is { } local)
        {
            return (null, new ServerFailure(FailureKind.Local, null, $"cannot read the file: {local.InnerException!.Message}"));
        }
        catch (Exception e) when (IsNetworkFailure(e, ct))
        {
            return (null, ServerFailure.Network(Server, e));
        }
    }

    /// <summary>The type the extension suggests; the server sniffs the bytes anyway (API.md, the file object).</summary>
    public static string ContentTypeOf(string fileName) =>
        ContentTypes.TryGetContentType(fileName, out var type) ? type : "application/octet-stream";

    private async Task<(JsonNode? Body, ServerFailure? Failure)> QueryAsync(Func<HttpRequestMessage> request, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(QueryTimeout);
        try
        {
            using var message = request();
            using var response = await http.SendAsync(message, timeout.Token);
            if (!response.IsSuccessStatusCode) return (null, await ServerFailure.FromAnswerAsync(response, timeout.Token));
            return (await ReadJsonAsync(response, timeout.Token), null);
        }
        catch (Exception e) when (IsNetworkFailure(e, ct))
        {
            return (null, ServerFailure.Network(Server, e));
        }
    }

    private static async Task<JsonNode?> ReadJsonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            return await JsonNode.ParseAsync(stream, cancellationToken: ct);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>No usable answer: a refused or dropped connection, or a timeout that is not the caller's Ctrl-C.</summary>
    private static bool IsNetworkFailure(Exception e, CancellationToken ct) =>
        e is HttpRequestException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested);

    private static T? Unwrap<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found) return found;
        }
        return null;
    }

    public void Dispose() => http.Dispose();
}
