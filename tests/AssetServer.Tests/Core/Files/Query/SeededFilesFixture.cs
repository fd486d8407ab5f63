using AssetServer.Tests.Support;

namespace AssetServer.Tests.Files.Query;

/// <summary>Issue 21: an app whose library holds <see cref="Rows"/> cloned file rows (<see cref="FileRowSeeder"/>), for plan and shape tests.</summary>
public abstract class SeededFilesFixture : AdminAppFixture
{
    protected const int Rows = 50_000;

    /// <summary>Runs after the app starts and before a derived fixture's own one-time set-up.</summary>
    [OneTimeSetUp]
    public async Task SeedRows()
    {
        using var database = FileRowSeeder.DatabaseOf(app);
        await FileRowSeeder.SeedAsync(database, Rows);
    }
}
