using System.Diagnostics;
using Amazon.S3;
using Amazon.S3.Model;

namespace AssetServer.Tests.Support;

/// <summary>
/// The real engines of a scaled-out deployment, PostgreSQL and an S3-compatible server, for the tests that need them.
/// <c>.ci/run</c> starts them once and passes them in <c>ASSETSERVER_TEST_POSTGRES</c> (a base connection string) and
/// <c>ASSETSERVER_TEST_S3</c> (a service URL); when those are unset (the README's test command on its own), the
/// project's scripts start throwaway ones on first use and stop them when the test run ends: at the assembly's
/// tear-down (<see cref="StopAll"/>), at process exit, and, should the test host die without either (SIGKILL, a
/// cancelled run), by the watchdog each script leaves with the test host as its owner (<c>.ci/watchdog.sh</c>).
/// <para>
/// <c>ASSETSERVER_TEST_STACK</c> picks what the whole suite runs on: <c>sqlite-local</c> (the default), or
/// <c>postgres-s3</c> (also <c>postgres-local</c>, <c>sqlite-s3</c>): every app then gets its own database
/// (<see cref="TestDatabase"/>) and bucket prefix (<see cref="TestStorage"/>).
/// </para>
/// </summary>
public static class Engines
{
    private static readonly string Stack = Environment.GetEnvironmentVariable("ASSETSERVER_TEST_STACK") ?? "sqlite-local";

    /// <summary>Whether the suite's apps run on PostgreSQL.</summary>
    public static bool StackUsesPostgres => Stack.StartsWith("postgres", StringComparison.Ordinal);

    /// <summary>Whether the suite's apps store their bytes in S3.</summary>
    public static bool StackUsesS3 => Stack.EndsWith("-s3", StringComparison.Ordinal);

    public const string S3AccessKey = "S3RVER";
    public const string S3SecretKey = "S3RVER";

    private static readonly Lazy<string> PostgresValue = new(() =>
        Environment.GetEnvironmentVariable("ASSETSERVER_TEST_POSTGRES") is { Length: > 0 } set ? set : StartScript("postgres.sh"));

    private static readonly Lazy<string> S3Value = new(() =>
        Environment.GetEnvironmentVariable("ASSETSERVER_TEST_S3") is { Length: > 0 } set ? set : StartScript("s3rver.sh"));

    private static readonly Lazy<string?> NginxProblem = new(() => SystemPackages.Install("/usr/sbin/nginx", "nginx-light", "nginx"));

    /// <summary>A connection string to a PostgreSQL server whose user may create databases.</summary>
    public static string Postgres => PostgresValue.Value;

    /// <summary>The service URL of an S3-compatible server (credentials <see cref="S3AccessKey"/>/<see cref="S3SecretKey"/>).</summary>
    public static string S3ServiceUrl => S3Value.Value;

    /// <summary>The bucket tests use; each app gets its own prefix in it.</summary>
    public static string S3Bucket =>
        Environment.GetEnvironmentVariable("ASSETSERVER_TEST_S3_BUCKET") is { Length: > 0 } bucket ? bucket : "assetserver-tests";

    /// <summary>Debian's nginx, installed when missing; throws with the reason when it cannot be.</summary>
    public static string Nginx => NginxProblem.Value is { } problem ? throw new InvalidOperationException(problem) : "/usr/sbin/nginx";

    /// <summary>A client of <see cref="S3ServiceUrl"/>, for tests that look in the bucket behind the server's back.</summary>
    public static AmazonS3Client S3Client() => new(S3AccessKey, S3SecretKey, new AmazonS3Config
    {
        ServiceURL = S3ServiceUrl,
        ForcePathStyle = true,
        AuthenticationRegion = "us-east-1",
        RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED,
    });

    /// <summary>Every object under <paramref name="prefix"/> in the test bucket: key after the prefix → size.</summary>
    public static async Task<Dictionary<string, long>> S3ObjectsAsync(string prefix)
    {
        using var s3 = S3Client();
        var objects = new Dictionary<string, long>(StringComparer.Ordinal);
        var request = new ListObjectsV2Request { BucketName = S3Bucket, Prefix = prefix };
        ListObjectsV2Response page;
        do
        {
            page = await ListPageAsync(s3, request);
            foreach (var item in page.S3Objects ?? []) objects[item.Key[prefix.Length..]] = item.Size ?? 0;
            request.ContinuationToken = page.NextContinuationToken;
        } while (page.IsTruncated == true);
        return objects;
    }

    /// <summary>
    /// One listing page. s3rver lists by walking its folders, and a folder removed by a delete during the walk makes it
    /// answer 500 (real S3 has no folders): such a page is asked again, a few times.
    /// </summary>
    private static async Task<ListObjectsV2Response> ListPageAsync(IAmazonS3 s3, ListObjectsV2Request request)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await s3.ListObjectsV2Async(request);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.InternalServerError && attempt < 6)
            {
                await Task.Delay(200 * attempt);
            }
        }
    }

    private static readonly List<(string Script, string Folder)> Started = [];

    /// <summary>The folder under which every engine the tests start keeps its files (and its command line shows).</summary>
    public static string EnginesFolder => Path.Combine(Path.GetTempPath(), "assetserver-engines");

    private static string StartScript(string script) =>
        StartEngine(script, Path.Combine(EnginesFolder, $"{Path.GetFileNameWithoutExtension(script)}-{Environment.ProcessId}"), Environment.ProcessId);

    /// <summary>
    /// Runs <c>.ci/&lt;script&gt; start &lt;folder&gt; --owner &lt;owner&gt;</c> and returns the engine's address (its
    /// last line of output). The engine stops when the owner process is gone, and with the test run if not before.
    /// </summary>
    public static string StartEngine(string script, string folder, int owner)
    {
        var path = Path.Combine(RepositoryRoot(), ".ci", script);
        var (code, output) = Run(path, "start", folder, "--owner", owner.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var address = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (code != 0 || string.IsNullOrEmpty(address)) throw new InvalidOperationException($"{script} start failed ({code}):\n{output}");
        lock (Started)
        {
            if (Started.Count == 0) AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
            Started.Add((path, folder));
        }
        return address;
    }

    /// <summary>Runs <c>.ci/&lt;script&gt; stop &lt;folder&gt;</c> (a no-op when it is not running).</summary>
    public static void StopEngine(string script, string folder)
    {
        var path = Path.Combine(RepositoryRoot(), ".ci", script);
        Run(path, "stop", folder);
        lock (Started) Started.Remove((path, folder));
    }

    /// <summary>Stops every engine this test host started (the assembly's tear-down and process exit both call it).</summary>
    public static void StopAll()
    {
        lock (Started)
        {
            foreach (var (script, folder) in Started) Run(script, "stop", folder);
            Started.Clear();
        }
    }

    /// <summary>
    /// Leaves a detached watchdog (<c>.ci/watchdog.sh</c>) that ends <paramref name="pid"/> (SIGTERM, then SIGKILL) once
    /// this test host is gone, however it ended: for the server and nginx processes tests start.
    /// </summary>
    public static void StopWithTestHost(int pid) => StopWithOwner(pid, Environment.ProcessId);

    /// <summary>Like <see cref="StopWithTestHost"/>, with another owner (a test of the watchdog itself).</summary>
    public static void StopWithOwner(int pid, int owner)
    {
        var start = new ProcessStartInfo("setsid")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in new[] { "bash", Path.Combine(RepositoryRoot(), ".ci", "watchdog.sh"), $"{owner}", $"{pid}" })
            start.ArgumentList.Add(argument);
        // Not waited for: it runs until the process or the test host is gone. The script reopens its stdio on /dev/null.
        Process.Start(start)!.Dispose();
    }

    private static (int Code, string Output) Run(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(15))) process.Kill(entireProcessTree: true);
        return (process.ExitCode, output + error.Result);
    }

    /// <summary>The repository's root: the first folder above the test binaries that holds <c>.ci</c>.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, ".ci"))) return dir.FullName;
        throw new InvalidOperationException("The repository root (a folder with .ci) is not above " + AppContext.BaseDirectory);
    }
}
