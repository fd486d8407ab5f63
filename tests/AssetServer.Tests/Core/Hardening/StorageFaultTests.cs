using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Hardening;

/// <summary>
/// The data folder on a small tmpfs: a full disk and a read-only folder. Writes fail with a clear 5xx and
/// leave nothing behind; reads go on working.
/// </summary>
[NonParallelizable]
public class StorageFaultTests
{
    private string mount = null!;
    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public async Task MountSmallDisk()
    {
        mount = Path.Combine(Path.GetTempPath(), "assetserver-tmpfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mount);
        if (await RunAsync("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mount) != 0)
            Assert.Ignore("mounting a tmpfs needs root; these faults cannot be staged here");
        app = new AssetServerApp(("Data:Path", mount));
        using var client = app.AnonymousClient();
        await client.GetAsync("/server/ping");
    }

    [OneTimeTearDown]
    public async Task Unmount()
    {
        app?.Dispose();
        await RunAsync("umount", "-l", mount);
        try { Directory.Delete(mount, true); } catch (IOException) { }
    }

    [Test, Order(1)]
    public async Task FullDiskIsInsufficientStorageAndLeavesNothingBehind()
    {
        var small = await app.UploadOkAsync(TestImages.Jpeg(64, 48), "small.jpg");
        var rows = await app.RowCountAsync();

        using var res = await app.UploadAsync(new byte[5 << 20], "too-big-for-the-disk.bin");
        var body = await res.Content.ReadAsStringAsync();
        Assert.That((int)res.StatusCode, Is.EqualTo(507), body);
        Assert.That(JsonNode.Parse(body)!["errors"]![0]!["extensions"]!["code"]!.GetValue<string>(), Is.EqualTo("INSUFFICIENT_STORAGE"));
        Assert.That(app.TempFilesOnDisk(), Is.Empty);
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows));

        using var client = app.AdminClient();
        var again = await client.GetAsync($"/files/{small["id"]}");
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test, Order(2)]
    public async Task ReadOnlyDataFolderRefusesWritesButServesReads()
    {
        var kept = await app.UploadOkAsync("kept"u8.ToArray(), "kept.txt");
        // The database stays open for writing, so the whole disk cannot be remounted; a read-only layer over the
        // folder every upload starts in has the same effect on writes.
        var tempFolder = app.TempPath;
        Assert.That(await RunAsync("mount", "-t", "tmpfs", "-o", "size=1m,ro", "tmpfs", tempFolder), Is.EqualTo(0));
        try
        {
            using var res = await app.UploadAsync("more"u8.ToArray(), "more.txt");
            var body = await res.Content.ReadAsStringAsync();
            Assert.That((int)res.StatusCode, Is.EqualTo(503), body);
            Assert.That(body, Does.Contain("SERVICE_UNAVAILABLE"));
            Assert.That(body, Does.Not.Contain("   at "));

            using var client = app.AdminClient();
            var list = await client.GetAsync("/files");
            Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var one = await client.GetAsync($"/files/{kept["id"]}");
            Assert.That(one.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        finally
        {
            await RunAsync("umount", tempFolder);
        }
    }

    private static async Task<int> RunAsync(string file, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in args) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            await process.WaitForExitAsync();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
