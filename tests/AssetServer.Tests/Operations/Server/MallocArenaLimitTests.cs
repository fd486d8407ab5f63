using AssetServer.Server;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Server;

/// <summary>
/// Issue 17: glibc takes <c>MALLOC_ARENA_MAX</c> only at exec, so the real server re-executes itself with it, in the
/// process it was started as; the deployment's own value, the opt-out and other hosts are left alone.
/// </summary>
[NonParallelizable]
public class MallocArenaLimitTests
{
    private string dataPath = null!;

    [SetUp]
    public void NewDataFolder() => dataPath = Directory.CreateTempSubdirectory("assetserver-arenas-").FullName;

    [TearDown]
    public void RemoveDataFolder() => Directory.Delete(dataPath, recursive: true);

    private static List<string> EnvironmentOf(int pid) =>
        File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries).ToList();

    [Test]
    public async Task TheServerRunsUnderTwoArenasInTheProcessItWasStartedAs_Issue17()
    {
        using var server = await ServerProcess.StartAsync(dataPath);

        // The PID the test started answers (StartAsync pinged it) and has the variable: the same process, re-executed.
        Assert.That(EnvironmentOf(server.ProcessId).Where(v => v.StartsWith("MALLOC_ARENA_MAX=")), Is.EqualTo(new[] { "MALLOC_ARENA_MAX=2" }));
        var arguments = File.ReadAllText($"/proc/{server.ProcessId}/cmdline").Split('\0');
        Assert.That(arguments, Does.Contain("--urls"));
        Assert.That(EnvironmentOf(server.ProcessId), Does.Contain($"ASSETSERVER_Data__Path={dataPath}"));
    }

    [Test]
    public async Task TheReexecutedServerStillListensForDiagnosticTools_Issue17()
    {
        using var server = await ServerProcess.StartAsync(dataPath);

        // dotnet-trace and dotnet-counters connect to dotnet-diagnostic-<pid>-<start>-socket: the first image's file
        // must not be left in the way of the second image's listener.
        var listening = File.ReadLines("/proc/net/unix").Where(l => l.Contains($"/dotnet-diagnostic-{server.ProcessId}-")).ToList();
        Assert.That(listening, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task AnArenaCountTheDeploymentSetIsKept()
    {
        using var server = await ServerProcess.StartWithEnvironmentAsync(dataPath, new Dictionary<string, string?> { ["MALLOC_ARENA_MAX"] = "4" });

        Assert.That(EnvironmentOf(server.ProcessId).Where(v => v.StartsWith("MALLOC_ARENA_MAX=")), Is.EqualTo(new[] { "MALLOC_ARENA_MAX=4" }));
    }

    [Test]
    public async Task TheOptOutStartsTheServerWithoutTheVariable()
    {
        using var server = await ServerProcess.StartWithEnvironmentAsync(dataPath, new Dictionary<string, string?> { ["ASSETSERVER_NO_ARENA_RESTART"] = "1" });

        Assert.That(EnvironmentOf(server.ProcessId).Where(v => v.StartsWith("MALLOC_ARENA_MAX=")), Is.Empty);
        using var client = server.AdminClient();
        Assert.That((await client.GetAsync("/server/ping")).IsSuccessStatusCode, Is.True);
    }

    [Test]
    public void AnotherHostIsNeverReplaced()
    {
        // The test host runs Program's Main up to Build() (WebApplicationFactory); here the entry assembly is the
        // test runner's, so the call returns instead of replacing this process (if it did, the run would end here).
        Assume.That(Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX"), Is.Null);
        MallocArenaLimit.RestartUnderLimit(typeof(Program).Assembly);

        Assert.That(Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX"), Is.Null);
        Assert.That(File.ReadAllText("/proc/self/environ"), Does.Not.Contain("MALLOC_ARENA_MAX="));
    }
}
