using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.BulkImport;

/// <summary>
/// Issue 12, the <c>import</c> command: run as a process against the real server, itself a process on a loopback
/// port, over temporary folders of images made with libvips. The server refuses <c>text/plain</c>, so a .txt is a
/// file the server fails. Each test makes images no other test makes, so it only ever sees its own rows.
/// </summary>
public class ImportCommandTests
{
    private static int nextImage;

    private string dataPath = null!;
    private ServerProcess server = null!;
    private HttpClient admin = null!;
    private readonly List<string> folders = [];

    [OneTimeSetUp]
    public async Task Start()
    {
        dataPath = Path.Combine(Path.GetTempPath(), "assetserver-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataPath);
        server = await ServerProcess.StartAsync(dataPath, ("Uploads:DeniedTypes:0", "text/plain"));
        admin = server.AdminClient();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        admin.Dispose();
        server.Dispose();
        foreach (var folder in folders.Append(dataPath))
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still open on a slow shutdown; the temp folder is cleaned by the OS.
            }
        }
    }

    [Test]
    public async Task FirstRunUploadsEachNewFileOnceAndASecondRunUploadsNothing()
    {
        var folder = NewFolder();
        var top = Write(folder, "top.jpg", TestImages.Jpeg(Side(), 24));
        var one = Write(folder, "sub/one.png", TestImages.Png(Side(), 20));
        var two = Write(folder, "sub/deeper/two.webp", TestImages.Webp(Side(), 18));
        var copy = Write(folder, "sub/deeper/top-copy.jpg", File.ReadAllBytes(Path.Combine(folder, "top.jpg")));
        var stored = Write(folder, "stored.gif", TestImages.Gif(Side(), 16));
        await UploadViaRestAsync("stored.gif", File.ReadAllBytes(Path.Combine(folder, "stored.gif")));
        Assert.That(copy, Is.EqualTo(top));

        var first = await ImportAsync(folder);

        Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
        Assert.That(first.Lines, Does.Contain("uploaded 3, skipped 2 (already stored), failed 0"), first.ToString());
        Assert.That(first.Lines, Does.Contain("skipped stored.gif (already stored)"), first.ToString());
        // The copy and the original are one upload: the first path in sorted order goes, the other is skipped.
        Assert.That(first.Lines, Does.Contain("skipped top.jpg (same content as sub/deeper/top-copy.jpg)"), first.ToString());
        var rows = await RowsAsync(top, one, two, stored);
        Assert.That(rows.Select(r => r.Checksum), Is.EquivalentTo(new[] { top, one, two, stored }), "one row per content, none twice");
        Assert.That(rows.Single(r => r.Checksum == one).Name, Is.EqualTo("one.png"), "the file's own name is the upload's name");
        Assert.That(rows.Single(r => r.Checksum == top).Name, Is.EqualTo("top-copy.jpg"));

        var second = await ImportAsync(folder);

        Assert.That(second.ExitCode, Is.EqualTo(0), second.ToString());
        Assert.That(second.Lines, Does.Contain("uploaded 0, skipped 5 (already stored), failed 0"), second.ToString());
        Assert.That(second.Lines.Where(l => l.StartsWith("uploaded ", StringComparison.Ordinal)), Has.Exactly(1).Items, "only the summary");
        Assert.That(await RowsAsync(top, one, two, stored), Has.Count.EqualTo(4), "a second run stores nothing");
    }

    [Test]
    public async Task DryRunListsWhatWouldHappenAndUploadsNothing()
    {
        var folder = NewFolder();
        var a = Write(folder, "a.png", TestImages.Png(Side(), 10));
        var b = Write(folder, "nested/b.jpg", TestImages.Jpeg(Side(), 10));
        var stored = Write(folder, "nested/stored.png", TestImages.Png(Side(), 11));
        await UploadViaRestAsync("stored.png", File.ReadAllBytes(Path.Combine(folder, "nested/stored.png")));

        var run = await ImportAsync(folder, "--dry-run");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        Assert.That(run.Lines, Does.Contain("would upload a.png (" + Size(folder, "a.png") + ")"), run.ToString());
        Assert.That(run.Lines.Any(l => l.StartsWith("would upload nested/b.jpg", StringComparison.Ordinal)), run.ToString());
        Assert.That(run.Lines, Does.Contain("skipped nested/stored.png (already stored)"), run.ToString());
        Assert.That(run.Lines, Does.Contain("dry run: would upload 2, skipped 1 (already stored), failed 0"), run.ToString());
        Assert.That(await RowsAsync(a, b), Is.Empty, "nothing was uploaded");
    }

    [Test]
    public async Task WrongTokenStopsAtOnceWithOneClearMessageAndUploadsNothing()
    {
        var folder = NewFolder();
        var a = Write(folder, "a.png", TestImages.Png(Side(), 10));

        var run = await ImportProcess.RunAsync([folder, "--url", server.BaseAddress.ToString(), "--token", "not-the-token"]);

        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        var errors = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(errors, Has.Length.EqualTo(1), run.ToString());
        Assert.That(errors[0], Does.Contain("refused the token from --token").And.Contain("401 INVALID_CREDENTIALS"), run.ToString());
        Assert.That(run.Output, Does.Not.Contain("uploaded"), "it stops before reading the folder");
        Assert.That(await RowsAsync(a), Is.Empty);
    }

    [Test]
    public async Task FileTheServerRefusesIsReportedWithItsMessageAndCountedWhileTheOthersUpload()
    {
        var folder = NewFolder();
        Write(folder, "notes.txt", System.Text.Encoding.UTF8.GetBytes("plain text " + Guid.NewGuid()));
        var a = Write(folder, "a.png", TestImages.Png(Side(), 12));
        var b = Write(folder, "deep/er/b.jpg", TestImages.Jpeg(Side(), 12));

        var run = await ImportAsync(folder);

        Assert.That(run.ExitCode, Is.EqualTo(1), "one file failed: " + run);
        var failure = run.Lines.Single(l => l.StartsWith("failed ", StringComparison.Ordinal));
        Assert.That(failure, Does.StartWith("failed notes.txt: 415 UNSUPPORTED_MEDIA_TYPE: ").And.Contain("Files of type \"text/plain\" are not allowed"), run.ToString());
        Assert.That(run.Lines, Does.Contain("uploaded 2, skipped 0 (already stored), failed 1"), run.ToString());
        Assert.That((await RowsAsync(a, b)).Select(r => r.Checksum), Is.EquivalentTo(new[] { a, b }));
    }

    [Test]
    public async Task ParallelEightUploadsEveryFileExactlyOnce()
    {
        var folder = NewFolder();
        var checksums = new List<string>();
        for (var i = 0; i < 16; i++)
            checksums.Add(Write(folder, $"d{i % 4}/img{i}.png", TestImages.Png(Side(), 8 + i % 3)));
        File.Copy(Path.Combine(folder, "d0/img0.png"), Path.Combine(folder, "d3/again.png"));
        File.Copy(Path.Combine(folder, "d1/img1.png"), Path.Combine(folder, "d2/again.png"));

        var run = await ImportAsync(folder, "--parallel", "8");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        Assert.That(run.Lines, Does.Contain("uploaded 16, skipped 2 (already stored), failed 0"), run.ToString());
        var rows = await RowsAsync([.. checksums]);
        Assert.That(rows.Select(r => r.Checksum), Is.EquivalentTo(checksums), "every file once, none twice");
    }

    [Test]
    public async Task WithoutTokenOptionItReadsTheAdminTokenFileOfTheDataFolderAndTouchesNothingElseThere()
    {
        var folder = NewFolder();
        var a = Write(folder, "a.png", TestImages.Png(Side(), 9));
        var data = ImportProcess.EmptyDataFolder();
        folders.Add(data);
        File.WriteAllText(Path.Combine(data, "admin-token"), AssetServerApp.AdminToken + "\n");

        var run = await ImportProcess.RunAsync([folder, "--url", server.BaseAddress.ToString()], data);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        Assert.That(run.Lines, Does.Contain("uploaded 1, skipped 0 (already stored), failed 0"), run.ToString());
        Assert.That(await RowsAsync(a), Has.Count.EqualTo(1));
        Assert.That(Directory.EnumerateFileSystemEntries(data).Select(Path.GetFileName), Is.EqualTo(new[] { "admin-token" }),
            "no database, no folders: the command never opens the data folder but to read the token");
    }

    [Test]
    public async Task TokenComesFromTheAssetServerTokenVariable()
    {
        var folder = NewFolder();
        var a = Write(folder, "a.png", TestImages.Png(Side(), 9));

        var run = await ImportProcess.RunAsync([folder, "--url", server.BaseAddress.ToString()],
            environment: new Dictionary<string, string> { ["ASSETSERVER_TOKEN"] = AssetServerApp.AdminToken });

        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        Assert.That(await RowsAsync(a), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task NoTokenAnywhereIsAUsageErrorNamingTheFileItLookedFor()
    {
        var data = ImportProcess.EmptyDataFolder();
        folders.Add(data);

        var run = await ImportProcess.RunAsync([NewFolder(), "--url", server.BaseAddress.ToString()], data);

        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Error, Does.Contain("no token").And.Contain(Path.Combine(data, "admin-token")), run.ToString());
    }

    [Test]
    public async Task ServerThatDoesNotAnswerIsOneClearError()
    {
        var run = await ImportProcess.RunAsync([NewFolder(), "--url", $"http://127.0.0.1:{ClosedPort()}", "--token", "t"]);

        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        Assert.That(run.Error, Does.Contain("no answer from http://127.0.0.1:").And.Contain("is the server running there?"), run.ToString());
    }

    [TestCase("--parallel", "0")]
    [TestCase("--parallel", "65")]
    [TestCase("--bogus", "1")]
    public async Task WrongCommandLineIsExitCodeTwoWithTheUsage(string option, string value)
    {
        var run = await ImportProcess.RunAsync([NewFolder(), option, value, "--token", "t"]);

        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Error, Does.Contain(option).And.Contain("usage: import DIR"), run.ToString());
    }

    private Task<ImportProcess.Outcome> ImportAsync(string folder, params string[] options) =>
        ImportProcess.RunAsync([folder, "--url", server.BaseAddress.ToString(), "--token", AssetServerApp.AdminToken, .. options]);

    private async Task UploadViaRestAsync(string name, byte[] bytes)
    {
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(bytes);
        part.Headers.ContentType = MediaTypeHeaderValue.Parse("application/octet-stream");
        form.Add(part, "file", name);
        var response = await admin.PostAsync("/files", form);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    /// <summary>The rows whose checksum is one of these, as the REST API lists them.</summary>
    private async Task<List<(string Checksum, string Name)>> RowsAsync(params string[] checksums)
    {
        var response = await admin.GetAsync($"/files?filter[checksum][_in]={string.Join(',', checksums)}&fields=checksum,filename_download&limit=-1");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonNode.Parse(text)!["data"]!.AsArray()
            .Select(r => (r!["checksum"]!.GetValue<string>(), r["filename_download"]!.GetValue<string>())).ToList();
    }

    private string NewFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "assetserver-tests", "import-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        folders.Add(path);
        return path;
    }

    /// <summary>Writes the file (and its folders); returns its SHA-256 as the server stores it.</summary>
    private static string Write(string folder, string relative, byte[] bytes)
    {
        var path = Path.Combine(folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    private static string Size(string folder, string relative) =>
        AssetServer.BulkImport.IImportOutput.Size(new FileInfo(Path.Combine(folder, relative)).Length);

    /// <summary>A width no other image in this run has, so every test's files are its own.</summary>
    private static int Side() => 16 + Interlocked.Increment(ref nextImage);

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
