namespace AssetServer.Tests.Support;

/// <summary>
/// A fixture that shares one real app (fresh data folder) and an admin client across its tests.
/// Override <see cref="CreateApp"/> to start it with other settings.
/// </summary>
public abstract class AdminAppFixture
{
    protected AssetServerApp app = null!;
    protected HttpClient client = null!;

    protected virtual AssetServerApp CreateApp() => new();

    [OneTimeSetUp]
    public void StartApp()
    {
        app = CreateApp();
        client = app.AdminClient();
    }

    [OneTimeTearDown]
    public void StopApp()
    {
        client.Dispose();
        app.Dispose();
    }
}
