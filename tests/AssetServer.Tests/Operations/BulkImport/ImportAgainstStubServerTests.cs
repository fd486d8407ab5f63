using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AssetServer.Tests.BulkImport;

/// <summary>
/// The import against a stub of the REST API, for what the real server will not do on demand: answer 503 once, drop
/// a connection after storing, refuse a token halfway, or hold an upload until Ctrl-C. The stub records each upload
/// as it arrived, so the multipart shape is checked too.
/// </summary>
public class ImportAgainstStubServerTests
{
    /// <summary>One upload as the stub received it.</summary>
    private sealed record Received(string PartName, string? FileName, string? ContentType, string Checksum);

    private sealed class Stub : IAsyncDisposable
    {
        public required WebApplication App { get; init; }
        public ConcurrentQueue<Received> Uploads { get; } = new();
        public ConcurrentDictionary<string, bool> Stored { get; } = new();
        public int Posts;
        public string Url => App.Urls.First();

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    private string folder = null!;

    [SetUp]
    public void MakeFolder()
    {
        folder = Path.Combine(Path.GetTempPath(), "assetserver-tests", "import-stub-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
    }

    [TearDown]
    public void RemoveFolder() => Directory.Delete(folder, recursive: true);

    [Test]
    public async Task UploadIsOnePartNamedFileWithTheFileNameAndATypeFromItsExtension()
    {
        var png = Write("pics/photo.png", RandomBytes(3000));
        var raw = Write("data.unknownext", RandomBytes(100));
        await using var stub = await StartStubAsync((_, _) => null);

        var run = await ImportAsync(stub);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        Assert.That(stub.Uploads.OrderBy(u => u.FileName), Is.EqualTo(new[]
        {
            new Received("file", "data.unknownext", "application/octet-stream", raw),
            new Received("file", "photo.png", "image/png", png),
        }));
    }

    [Test]
    public async Task BusyServerIsRetriedAfterItsRetryAfter()
    {
        var a = Write("a.bin", RandomBytes(500));
        await using var stub = await StartStubAsync((context, attempt) =>
        {
            if (attempt > 1) return null;
            context.Response.Headers.RetryAfter = "0";
            return Error(context, 503, "SERVICE_UNAVAILABLE", "Busy, try again.");
        });

        var run = await ImportAsync(stub);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        Assert.That(run.Lines, Does.Contain("uploaded 1, skipped 0 (already stored), failed 0"), run.ToString());
        Assert.That(stub.Posts, Is.EqualTo(2));
        Assert.That(stub.Uploads.Select(u => u.Checksum), Is.EqualTo(new[] { a, a }), "the retry sent the whole file again");
    }

    [Test]
    public async Task DroppedConnectionAfterTheFileWasStoredIsNotUploadedTwice()
    {
        var a = Write("a.bin", RandomBytes(500));
        Stub? self = null;
        await using var stub = await StartStubAsync((context, attempt) =>
        {
            // Stored, then the connection drops before the answer: the client cannot know it landed.
            self!.Stored[a] = true;
            context.Abort();
            return Task.CompletedTask;
        });
        self = stub;

        var run = await ImportAsync(stub);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        Assert.That(run.Lines, Does.Contain("uploaded 1, skipped 0 (already stored), failed 0"), run.ToString());
        Assert.That(stub.Posts, Is.EqualTo(1), "the server was asked before a retry, and had it");
    }

    [Test]
    public async Task TokenRefusedOnUploadStopsTheRunWithOneMessage()
    {
        for (var i = 0; i < 5; i++) Write($"f{i}.bin", RandomBytes(100 + i));
        await using var stub = await StartStubAsync((context, _) => Error(context, 403, "FORBIDDEN", "You don't have permission to access this."));

        var run = await ImportAsync(stub, "--parallel", "1");

        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        Assert.That(stub.Posts, Is.EqualTo(1), "every other file would be refused the same way");
        Assert.That(run.Error, Does.Contain("stopped, 5 files not uploaded").And.Contain("403 FORBIDDEN").And.Contain("write access"), run.ToString());
        Assert.That(run.Lines, Does.Contain("uploaded 0, skipped 0 (already stored), failed 0"), run.ToString());
    }

    [Test]
    public async Task CtrlCAbortsTheUploadInFlightAndStopsCleanly()
    {
        for (var i = 0; i < 3; i++) Write($"f{i}.bin", RandomBytes(1000 + i));
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var stub = await StartStubAsync(async (context, _) =>
        {
            arrived.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                aborted.TrySetResult();
            }
        });
        using var import = ImportProcess.Start([folder, "--url", stub.Url, "--token", "t", "--parallel", "1"]);

        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(60));
        import.Interrupt();
        var run = await import.WaitAsync();

        Assert.That(run.ExitCode, Is.EqualTo(130), run.ToString());
        Assert.That(run.Lines, Does.Contain("cancelled: 3 files not uploaded"), run.ToString());
        Assert.That(run.Lines, Does.Contain("uploaded 0, skipped 0 (already stored), failed 0"), run.ToString());
        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(stub.Posts, Is.EqualTo(1), "no upload starts after Ctrl-C");
    }

    /// <summary>
    /// The stub: <c>GET /files</c> answers the probe, <c>SEARCH /files</c> the stored checksums among those asked,
    /// <c>POST /files</c> reads the multipart body, then <paramref name="answer"/> (given the try's number) may answer
    /// instead of the default 200.
    /// </summary>
    private static async Task<Stub> StartStubAsync(Func<HttpContext, int, Task?> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var stub = new Stub { App = builder.Build() };
        stub.App.MapGet("/files", () => Results.Json(new { data = Array.Empty<object>() }));
        stub.App.MapMethods("/files", ["SEARCH"], async (HttpContext context) =>
        {
            var body = await JsonNode.ParseAsync(context.Request.Body);
            var asked = body!["query"]!["filter"]!["checksum"]!["_in"]!.AsArray().Select(c => c!.GetValue<string>());
            var rows = new JsonArray(asked.Where(stub.Stored.ContainsKey).Select(c => (JsonNode)new JsonObject { ["checksum"] = c }).ToArray());
            return Results.Text(new JsonObject { ["data"] = rows }.ToJsonString(), "application/json");
        });
        stub.App.MapPost("/files", async (HttpContext context) =>
        {
            var attempt = Interlocked.Increment(ref stub.Posts);
            var form = await context.Request.ReadFormAsync();
            var file = form.Files.Single();
            await using (var stream = file.OpenReadStream())
                stub.Uploads.Enqueue(new Received(file.Name, file.FileName, file.ContentType, Convert.ToHexStringLower(await SHA256.HashDataAsync(stream))));
            if (answer(context, attempt) is { } answered)
            {
                await answered;
                return;
            }
            await context.Response.WriteAsJsonAsync(new { data = new { id = Guid.NewGuid().ToString() } });
        });
        await stub.App.StartAsync();
        return stub;
    }

    private static Task Error(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new { errors = new[] { new { message, extensions = new { code } } } });
    }

    private Task<ImportProcess.Outcome> ImportAsync(Stub stub, params string[] options) =>
        ImportProcess.RunAsync([folder, "--url", stub.Url, "--token", "t", .. options]);

    private string Write(string relative, byte[] bytes)
    {
        var path = Path.Combine(folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    private static byte[] RandomBytes(int length) => RandomNumberGenerator.GetBytes(length);
}
