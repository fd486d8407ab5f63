using System.Diagnostics;
using AssetServer.Rendering.Media;
using Microsoft.Extensions.Options;

namespace AssetServer.Tests.Rendering;

/// <summary>Issue 20: engines run on uploads, hostile input: killed on cancel and reaped, output capped, no network, no environment.</summary>
public class SandboxedProcessTestsIssue20
{
    private static readonly SandboxedProcess Processes = new(MediaEngines.Installed, Options.Create(new MediaOptions()));

    [Test]
    public async Task CancelledProcessIsKilledAndReaped()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        // A sleep of 30 s and a random fraction: its argument finds its process afterwards.
        var marker = $"30.{Random.Shared.NextInt64(100_000_000, 999_999_999)}";
        var running = Processes.RunAsync("/bin/sleep", [marker], 1024, cancel.Token);

        var clock = Stopwatch.StartNew();
        Assert.That(async () => await running, Throws.InstanceOf<OperationCanceledException>());
        // Generous liveness bound: the 30 s sleep did not run out.
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(Directory.GetDirectories("/proc").Any(d => ReadCmdline(d).Contains(marker)), Is.False, "no process, no zombie left");
    }

    [Test]
    public void OutputPastItsCapKillsTheProcess() =>
        Assert.That(async () => await Processes.RunAsync("/usr/bin/yes", [], 64 * 1024, CancellationToken.None), Throws.InstanceOf<IOException>());

    [Test]
    public async Task EngineSeesNeitherTheServersEnvironmentNorStdin()
    {
        Environment.SetEnvironmentVariable("ASSETSERVER_SECRET_FOR_TEST", "hunter2");
        var result = await Processes.RunAsync("/bin/sh", ["-c", "env; cat"], 1 << 16, CancellationToken.None);

        var output = System.Text.Encoding.UTF8.GetString(result.Output);
        Assert.That(result.ExitCode, Is.EqualTo(0));
        Assert.That(output, Does.Not.Contain("hunter2"));
        Assert.That(output, Does.Contain("PATH=/usr/bin:/bin"));
    }

    [Test]
    public async Task EngineHasNoNetworkWhereTheMachineAllowsIt()
    {
        Assume.That(MediaEngines.Installed.NoNetwork, "this machine forbids network namespaces");
        var result = await Processes.RunAsync("/bin/cat", ["/proc/net/dev"], 1 << 16, CancellationToken.None);

        var interfaces = System.Text.Encoding.UTF8.GetString(result.Output).Split('\n').Skip(2).Where(l => l.Contains(':')).Select(l => l.Split(':')[0].Trim());
        Assert.That(interfaces, Is.EquivalentTo(new[] { "lo" }));
    }

    private static string ReadCmdline(string folder)
    {
        try
        {
            return File.ReadAllText(Path.Combine(folder, "cmdline"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
