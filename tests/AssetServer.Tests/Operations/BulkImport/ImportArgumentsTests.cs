using AssetServer.BulkImport;
using Microsoft.Extensions.Configuration;

namespace AssetServer.Tests.BulkImport;

/// <summary>The import's command line, token sources, retry waits and error messages, without a server or a process.</summary>
public class ImportArgumentsTests
{
    [Test]
    public void DefaultsAreTheLocalServerFourUploadsAtOnceAndARealRun()
    {
        var (arguments, error) = ImportArguments.Parse(["photos"]);

        Assert.That(error, Is.Null);
        Assert.That(arguments, Is.EqualTo(new ImportArguments("photos", new Uri("http://localhost:8055/"), null, 4, false)));
    }

    [Test]
    public void EveryOptionIsTakenWithASpaceOrAnEqualsSign()
    {
        var (arguments, _) = ImportArguments.Parse(["--url=https://media.example/base", "--token", "s3cret", "--parallel=64", "--dry-run", "dir"]);

        Assert.That(arguments, Is.EqualTo(new ImportArguments("dir", new Uri("https://media.example/base/"), "s3cret", 64, true)),
            "a trailing slash keeps the API under a server mounted at a sub-path");
    }

    [TestCase(new[] { "dir", "--parallel", "0" }, "--parallel: expected a number from 1 to 64, but received \"0\"")]
    [TestCase(new[] { "dir", "--parallel", "65" }, "--parallel: expected a number from 1 to 64, but received \"65\"")]
    [TestCase(new[] { "dir", "--parallel", "four" }, "--parallel: expected a number from 1 to 64, but received \"four\"")]
    [TestCase(new[] { "dir", "--parallel" }, "--parallel needs a value")]
    [TestCase(new[] { "dir", "--url", "ftp://host" }, "--url: expected an http or https address such as http://localhost:8055, but received \"ftp://host\"")]
    [TestCase(new[] { "dir", "--url", "localhost:8055" }, "--url: expected an http or https address such as http://localhost:8055, but received \"localhost:8055\"")]
    [TestCase(new[] { "dir", "--token", " " }, "--token: expected a token, but received an empty value")]
    [TestCase(new[] { "dir", "--dry-run=yes" }, "unknown option \"--dry-run=yes\"")]
    [TestCase(new[] { "dir", "-p", "2" }, "unknown option \"-p\"")]
    [TestCase(new[] { "one", "two" }, "one folder only, but received \"one\" and \"two\"")]
    [TestCase(new string[0], "the folder to import is missing")]
    public void MistakeIsOneMessageNamingTheOption(string[] args, string expected)
    {
        var (arguments, error) = ImportArguments.Parse(args);

        Assert.That(arguments, Is.Null);
        Assert.That(error, Is.EqualTo(expected));
    }

    [Test]
    public void TokenOptionComesBeforeTheConfiguredAdminTokenAndTheFile()
    {
        Assume.That(Environment.GetEnvironmentVariable("ASSETSERVER_TOKEN"), Is.Null);
        var configuration = Configuration(("Auth:AdminToken", "configured"));

        Assert.That(ImportCommand.Token("given", configuration), Is.EqualTo(("given", "--token")));
        Assert.That(ImportCommand.Token(null, configuration), Is.EqualTo(("configured", "Auth:AdminToken")));
    }

    [Test]
    public void AdminTokenFileIsReadFromTheConfiguredDataFolderUnderTheConfigFolder()
    {
        Assume.That(Environment.GetEnvironmentVariable("ASSETSERVER_TOKEN"), Is.Null);
        var root = Path.Combine(Path.GetTempPath(), "assetserver-tests", "import-token-" + Guid.NewGuid().ToString("N"));
        var file = Path.Combine(root, "store", "admin-token");
        var configuration = Configuration(("ConfigFolder", root), ("Data:Path", "store"));
        try
        {
            Assert.That(ImportCommand.Token(null, configuration), Is.EqualTo(((string?)null, file)), "no file yet: the path is named");

            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, "from-file\n");

            Assert.That(ImportCommand.Token(null, configuration), Is.EqualTo(("from-file", file)));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public void RetryWaitsDoubleFromHalfASecondUnlessTheServerSaysHowLong()
    {
        Assert.That(ImportRun.Backoff(1, null), Is.InRange(TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(600)));
        Assert.That(ImportRun.Backoff(3, null), Is.InRange(TimeSpan.FromMilliseconds(2000), TimeSpan.FromMilliseconds(2100)));
        Assert.That(ImportRun.Backoff(1, TimeSpan.FromSeconds(7)), Is.EqualTo(TimeSpan.FromSeconds(7)));
        Assert.That(ImportRun.Backoff(1, TimeSpan.FromMinutes(5)), Is.Null, "past a minute the file counts as failed");
    }

    [TestCase("""{"errors":[{"message":"Invalid user credentials.","extensions":{"code":"INVALID_CREDENTIALS"}}]}""", "INVALID_CREDENTIALS: Invalid user credentials.")]
    [TestCase("""{"errors":[{"message":"No code here."}]}""", "No code here.")]
    [TestCase("""{"data":{}}""", null)]
    [TestCase("<html>Bad gateway</html>", null)]
    public void ErrorMessageIsTheServersOwn(string body, string? expected) =>
        Assert.That(ServerFailure.ErrorMessage(body), Is.EqualTo(expected));

    [TestCase(null, 503, true)]
    [TestCase(null, 429, true)]
    [TestCase(null, 500, false)]
    [TestCase(null, 415, false)]
    [TestCase(FailureKind.Network, null, true)]
    [TestCase(FailureKind.Local, null, false)]
    public void OnlyFailuresThatMayPassAreRetried(FailureKind? kind, int? status, bool transient) =>
        Assert.That(new ServerFailure(kind ?? FailureKind.Status, status, "x").IsTransient, Is.EqualTo(transient));

    [TestCase("a.jpg", "image/jpeg")]
    [TestCase("b.PNG", "image/png")]
    [TestCase("c.pdf", "application/pdf")]
    [TestCase("README", "application/octet-stream")]
    public void ContentTypeComesFromTheExtension(string name, string type) =>
        Assert.That(ImportClient.ContentTypeOf(name), Is.EqualTo(type));

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
