using System.Text.RegularExpressions;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Files.FilesKit;

namespace AssetServer.Tests.Files;

/// <summary>Hostile client file names: made safe for <c>filename_download</c>, never part of <c>filename_disk</c>.</summary>
public class FileNameTests
{
    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start() => app = new AssetServerApp();

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    private async Task<System.Text.Json.Nodes.JsonNode> UploadRawAsync(string disposition)
    {
        var raw = new RawMultipart().FileWithDisposition(disposition, TextBytes(25), "text/plain").End();
        using var client = app.AdminClient();
        var data = await DataAsync(await client.PostAsync("/files", raw.Content()));
        AssertDiskNameIsServerMade(data);
        return data;
    }

    private void AssertDiskNameIsServerMade(System.Text.Json.Nodes.JsonNode file)
    {
        var id = Str(file, "id");
        Assert.That(Str(file, "filename_disk"), Does.Match($"^{Regex.Escape(id)}\\.[A-Za-z0-9]{{1,16}}$"));
        Assert.That(File.Exists(app.OriginalFile(Str(file, "filename_disk"))), Is.True);
        Assert.That(app.TempFilesOnDisk(), Is.Empty);
    }

    [TestCase("../../etc/passwd")]
    [TestCase("..\\..\\windows\\passwd")]
    [TestCase("/etc/passwd")]
    public async Task PathInTheNameKeepsOnlyTheLastSegment(string name)
    {
        // Other tests make data folders beside this one meanwhile: look for what this name could make, not at a count.
        var outside = Directory.GetParent(app.DataPath)!.FullName;
        string[] MadeOutside() =>
        [
            .. new[] { outside, Directory.GetParent(outside)!.FullName }.SelectMany(Directory.EnumerateFileSystemEntries)
                .Where(e => Path.GetFileName(e) is "etc" or "windows" || e.Contains("passwd", StringComparison.OrdinalIgnoreCase)),
        ];
        var before = MadeOutside();
        var data = await UploadRawAsync($"filename=\"{name.Replace("\\", "\\\\")}\"");
        Assert.That(Str(data, "filename_download"), Is.EqualTo("passwd"));
        Assert.That(MadeOutside(), Is.EqualTo(before), "nothing written beside the data folder");
        Assert.That(Directory.EnumerateFiles(app.DataPath, "passwd", SearchOption.AllDirectories), Is.Empty);
    }

    [Test]
    public async Task EncodedPathInFileNameStarKeepsOnlyTheLastSegment()
    {
        var data = await UploadRawAsync("filename*=UTF-8''..%2F..%2Fetc%2Fpasswd");
        Assert.That(Str(data, "filename_download"), Is.EqualTo("passwd"));
    }

    [Test]
    public async Task NulCharacterIsRemoved()
    {
        var data = await UploadRawAsync("filename*=UTF-8''evil%00name.txt");
        Assert.That(Str(data, "filename_download"), Is.EqualTo("evilname.txt"));
    }

    [Test]
    public async Task ControlCharactersAreRemoved()
    {
        var data = await UploadRawAsync("filename*=UTF-8''a%01b%07c%1B%0D%0Ad%7F.txt");
        Assert.That(Str(data, "filename_download"), Is.EqualTo("abcd.txt"));
    }

    [Test]
    public async Task RightToLeftOverrideIsRemoved()
    {
        // "invoice\u202Efdp.exe" displays as "invoiceexe.pdf".
        var data = await UploadRawAsync("filename*=UTF-8''invoice%E2%80%AEfdp.exe");
        Assert.That(Str(data, "filename_download"), Is.EqualTo("invoicefdp.exe"));
        Assert.That(Str(data, "filename_download"), Does.Not.Contain("\u202E"));
    }

    [Test]
    public async Task RightToLeftOverrideIsRemovedFromTheStandardClientEncoding()
    {
        var file = await app.UploadOkAsync(TextBytes(10), "report\u202Etxt.exe", "text/plain");
        Assert.That(Str(file, "filename_download"), Is.EqualTo("reporttxt.exe"));
        AssertDiskNameIsServerMade(file);
    }

    [Test]
    public async Task VeryLongNameIsBoundedKeepingTheExtension()
    {
        var name = new string('a', 10_000) + ".png";
        var data = await UploadRawAsync($"filename=\"{name}\"");
        var download = Str(data, "filename_download");
        Assert.That(download, Has.Length.EqualTo(255));
        Assert.That(download, Does.EndWith(".png"));
        Assert.That(download, Does.StartWith("aaaa"));
    }

    [Test]
    public async Task NameOfOnlyDotsBecomesAPlainName()
    {
        var data = await UploadRawAsync("filename=\"..\"");
        Assert.That(Str(data, "filename_download"), Is.Not.EqualTo("..").And.Not.Empty);
        Assert.That(Str(data, "filename_download"), Does.Not.Contain("/"));
    }

    [Test]
    public async Task ShellAndHtmlCharactersStayInTheDownloadNameButNeverOnDisk()
    {
        var data = await UploadRawAsync("filename=\"$(rm -rf ~); <b>x.txt\"");
        Assert.That(Str(data, "filename_download"), Is.EqualTo("$(rm -rf ~); <b>x.txt"));
    }

    [Test]
    public async Task FilenameDownloadFieldIsSanitisedToo()
    {
        var file = await app.UploadOkAsync(TextBytes(10), "plain.txt", "text/plain", ("filename_download", "../../x/\u202Ename.txt"));
        Assert.That(Str(file, "filename_download"), Is.EqualTo("name.txt"));
        AssertDiskNameIsServerMade(file);
    }
}
