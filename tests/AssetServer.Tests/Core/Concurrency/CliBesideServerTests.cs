using AssetServer.Tests.Support;

namespace AssetServer.Tests.Concurrency;

/// <summary>
/// Issue 8: the <c>tokens</c> command is run beside a live server on the same data folder. It must leave the
/// server's work alone: an upload still streaming into <c>tmp/</c>, an original renamed into place whose row has not
/// committed yet, and the derivative cache all look like leftovers to the start-up sweep, which only a starting
/// server may run.
/// </summary>
public class CliBesideServerTests
{
    [Test]
    public async Task TheTokensCommandNeverSweepsTheDataFolder_Issue8()
    {
        var data = Directory.CreateTempSubdirectory("cli-beside-").FullName;
        try
        {
            // A first run creates the folders and the database.
            Assert.That((await ServerCli.RunAsync(data, "tokens", "list")).ExitCode, Is.Zero);
            var streaming = Path.Combine(data, "tmp", "upload-in-progress.part");
            var uncommitted = Path.Combine(data, "files", $"{Guid.NewGuid()}.jpg");
            var derivative = Path.Combine(data, "derivatives", Guid.NewGuid().ToString(), "abc-3.webp");
            Directory.CreateDirectory(Path.GetDirectoryName(derivative)!);
            foreach (var path in new[] { streaming, uncommitted, derivative }) File.WriteAllBytes(path, [1, 2, 3]);

            var created = await ServerCli.RunAsync(data, "tokens", "create", "beside", "read");
            var listed = await ServerCli.RunAsync(data, "tokens", "list");

            Assert.That(created.ExitCode, Is.Zero, created.Error);
            Assert.That(listed.Output, Does.Contain("beside"));
            Assert.That(File.Exists(streaming), Is.True, "an upload's temp file");
            Assert.That(File.Exists(uncommitted), Is.True, "an original whose row is about to commit");
            Assert.That(File.Exists(derivative), Is.True, "a derivative");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
