using System.Diagnostics;

namespace AssetServer.Tests.Support;

/// <summary>
/// Issue 18: a test run leaves nothing running, however it ends. The engines and processes the tests start are
/// owned by the test host, and a watchdog stops them once it is gone; here a short-lived owner is SIGKILLed (as a
/// cancelled or crashed run would be) and what it owned must go with it.
/// </summary>
[TestFixture]
public sealed class EnginesStopWithTheirOwnerTests
{
    /// <summary>The watchdog looks once a second; stopping PostgreSQL (fast mode) takes about another.</summary>
    private static readonly TimeSpan GoneWithin = TimeSpan.FromSeconds(20);

    [TestCase("s3rver.sh")]
    [TestCase("postgres.sh")]
    public void AnEngineStopsWhenItsOwnerIsKilled(string script)
    {
        var folder = Path.Combine(Engines.EnginesFolder, $"owned-{Path.GetFileNameWithoutExtension(script)}-{Guid.NewGuid().ToString("N")[..8]}");
        using var owner = Process.Start("sleep", "600");
        try
        {
            Engines.StartEngine(script, folder, owner.Id);
            Assert.That(ProcessesMentioning(folder), Is.Not.Empty, "the engine runs while its owner does");

            owner.Kill();
            var watch = Stopwatch.StartNew();
            while (ProcessesMentioning(folder).Count > 0 && watch.Elapsed < GoneWithin) Thread.Sleep(200);

            Assert.That(ProcessesMentioning(folder), Is.Empty, $"every process of the engine is gone within {GoneWithin.TotalSeconds} s of its owner");
            TestContext.Out.WriteLine($"{script}: gone {watch.ElapsedMilliseconds} ms after its owner was killed");
        }
        finally
        {
            if (!owner.HasExited) owner.Kill();
            Engines.StopEngine(script, folder);
            TryDelete(folder);
        }
    }

    [Test]
    public void AProcessATestStartsEndsWhenItsOwnerIsKilled()
    {
        using var owner = Process.Start("sleep", "600");
        using var started = Process.Start("sleep", "601");
        try
        {
            Engines.StopWithOwner(started.Id, owner.Id);
            Thread.Sleep(1500);
            Assert.That(started.HasExited, Is.False, "it runs while its owner does");

            owner.Kill();
            Assert.That(started.WaitForExit(GoneWithin), Is.True, $"it ends within {GoneWithin.TotalSeconds} s of its owner");
        }
        finally
        {
            if (!owner.HasExited) owner.Kill();
            if (!started.HasExited) started.Kill();
        }
    }

    /// <summary>Processes whose command line holds <paramref name="text"/> (an engine shows its folder: s3rver, postgres, their watchdog).</summary>
    private static List<int> ProcessesMentioning(string text)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Contains(text, StringComparison.Ordinal)) found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile.
            }
        }
        return found;
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An engine's file still closing; the temp folder is the OS's to clean.
        }
    }
}
