using AssetServer.Tests.Support;

/// <summary>
/// Drops what <see cref="TestDatabase"/> created, once every fixture has finished. Outside any namespace, so NUnit
/// runs it around the whole assembly.
/// </summary>
[SetUpFixture]
public sealed class TestDatabaseCleanup
{
    [OneTimeTearDown]
    public void DropDatabases() => TestDatabase.DropAll();
}
