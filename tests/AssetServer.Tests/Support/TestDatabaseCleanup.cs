using AssetServer.Tests.Support;

/// <summary>
/// Set-up and tear-down around the whole test run (outside any namespace, so NUnit runs it around the assembly):
/// fewer file watchers for the apps the tests start, and drops what <see cref="TestDatabase"/> created once every
/// fixture has finished, then stops the engines the run started (<see cref="Engines.StopAll"/>).
/// </summary>
[SetUpFixture]
public sealed class TestDatabaseCleanup
{
    /// <summary>
    /// Every app a test starts (in process, or a server or CLI process, which inherit the variable) would watch its
    /// appsettings.json for changes: an inotify instance each, of 128 per user by default, and a run holds hundreds
    /// of apps, several suites may run at once. No test changes appsettings.json; presets.json keeps its own watcher.
    /// </summary>
    [OneTimeSetUp]
    public void NoConfigurationReloads() => Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");

    [OneTimeTearDown]
    public void DropDatabasesAndStopEngines()
    {
        try
        {
            TestDatabase.DropAll();
        }
        finally
        {
            Engines.StopAll();
        }
    }
}
