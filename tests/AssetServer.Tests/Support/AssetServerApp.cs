using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using AssetServer.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AssetServer.Tests.Support;

/// <summary>
/// The real app over a fresh temp data folder and SQLite file, or its own fresh PostgreSQL database when
/// <c>ASSETSERVER_TEST_STACK</c> asks for it (<see cref="TestDatabase"/>). One per fixture; settings can be
/// overridden per instance (<c>new AssetServerApp(("Uploads:MaxBytes", "1000"))</c>). Each instance has its own data
/// folder and holds its lock, as a server does (issue 18): a second node beside it gets its own folder over the same
/// PostgreSQL database and S3 prefix (<see cref="AnotherNode"/>), and the same node started again comes from
/// <see cref="Restart"/>.
/// </summary>
public sealed class AssetServerApp : WebApplicationFactory<Program>
{
    public const string AdminToken = "test-admin-token-0123456789";

    private readonly Dictionary<string, string?> settings;

    /// <summary>The PostgreSQL database made for this instance alone, dropped with it.</summary>
    private string? ownDatabase;

    /// <summary>Set by <see cref="Restart"/>: the folder and database go on with the restarted instance.</summary>
    private bool handedOver;

    public AssetServerApp(params (string Key, string? Value)[] overrides)
    {
        settings = new Dictionary<string, string?>
        {
            ["Data:Path"] = Path.Combine(Path.GetTempPath(), "assetserver-tests", Guid.NewGuid().ToString("N")),
            ["Auth:AdminToken"] = AdminToken,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (TestDatabase.IsPostgres && !overrides.Any(o => o.Key == "Database:ConnectionString"))
        {
            ownDatabase = TestDatabase.Create();
            settings["Database:Provider"] = "postgres";
            settings["Database:ConnectionString"] = ownDatabase;
        }
        foreach (var (key, value) in overrides) settings[key] = value;
        // In s3 mode (ASSETSERVER_TEST_STACK) the store's settings, unless the test sets its own.
        foreach (var (key, value) in TestStorage.Settings(settings["Data:Path"]!)) settings.TryAdd(key, value);
        DataPath = settings["Data:Path"]!;
        Directory.CreateDirectory(DataPath);
    }

    /// <summary>The database this instance uses (a PostgreSQL test database, or empty for the folder's SQLite file).</summary>
    public string DatabaseConnectionString => settings.GetValueOrDefault("Database:ConnectionString") ?? "";

    /// <summary>Settings that put an instance on this one's data folder, database and store: the same node started again.</summary>
    private (string Key, string? Value)[] SameDataAs() =>
    [
        ("Data:Path", DataPath),
        ("Database:Provider", settings.GetValueOrDefault("Database:Provider") ?? "sqlite"),
        ("Database:ConnectionString", settings.GetValueOrDefault("Database:ConnectionString") ?? ""),
        .. settings.Where(s => s.Key.StartsWith("Storage:", StringComparison.Ordinal) || s.Key == "Server:NodeId").Select(s => (s.Key, s.Value)),
    ];

    /// <summary>
    /// Settings for a second node beside this one: its own data folder (a data folder belongs to one server), this
    /// one's PostgreSQL database and S3 prefix. Only on the PostgreSQL + S3 stack (a SQLite file lives in its folder);
    /// elsewhere the test is ignored.
    /// </summary>
    public (string Key, string? Value)[] AnotherNode()
    {
        if (!TestDatabase.IsPostgres || !TestStorage.IsS3)
            Assert.Ignore("Nodes share a PostgreSQL database and an S3 bucket: ASSETSERVER_TEST_STACK=postgres-s3 runs it");
        return
        [
            ("Database:Provider", "postgres"),
            ("Database:ConnectionString", settings["Database:ConnectionString"]),
            .. settings.Where(s => s.Key.StartsWith("Storage:", StringComparison.Ordinal)).Select(s => (s.Key, s.Value)),
        ];
    }

    /// <summary>
    /// Stops this instance (its lock is released, its folder and database kept) and starts it again on them, with
    /// <paramref name="overrides"/>: what a supervisor does after a crash.
    /// </summary>
    public AssetServerApp Restart(params (string Key, string? Value)[] overrides)
    {
        var same = SameDataAs();
        handedOver = true;
        Dispose();
        return new AssetServerApp([.. same, .. overrides]) { ownDatabase = ownDatabase };
    }

    /// <summary>The data folder: <c>assetserver.db</c>, <c>files/</c>, <c>derivatives/</c>, <c>tmp/</c>.</summary>
    public string DataPath { get; }

    /// <summary>
    /// The app's clock for stored timestamps and token freshness; tests that need distinct or later times drive it
    /// (<see cref="SteppingClock"/>) instead of sleeping.
    /// </summary>
    public TimeProvider? Clock { get; init; }

    /// <summary>A clock at the real time that moves on by a millisecond at every reading: every stored timestamp differs.</summary>
    public static Microsoft.Extensions.Time.Testing.FakeTimeProvider SteppingClock() =>
        new(DateTimeOffset.UtcNow) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };

    public string OriginalsPath => Path.Combine(DataPath, "files");
    public string DerivativesPath => Path.Combine(DataPath, "derivatives");
    public string TempPath => Path.Combine(DataPath, "tmp");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(settings));
        if (Clock is { } clock) builder.ConfigureServices(services => services.AddSingleton(clock));
    }

    private readonly Lock clientsLock = new();

    /// <summary>
    /// A client of the app. The factory keeps its clients in a plain list to dispose them; tests create clients from
    /// many tasks at once, and unsynchronised adds could leave a null slot that fails the factory's dispose.
    /// </summary>
    public new HttpClient CreateClient()
    {
        lock (clientsLock) return base.CreateClient();
    }

    /// <summary>A client that sends the admin token.</summary>
    public HttpClient AdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return client;
    }

    /// <summary>A client with no token.</summary>
    public HttpClient AnonymousClient() => CreateClient();

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>How many rows <c>files</c> holds, read straight from the database.</summary>
    public async Task<long> RowCountAsync()
    {
        await using var connection = await Service<Database>().OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM files";
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>A local path holding the original named <paramref name="name"/> (in s3 mode a copy of its object; missing when it is).</summary>
    public string OriginalFile(string name) => TestStorage.Original(Services, DataPath, OriginalsPath, name);

    /// <summary>The stored originals as local files (in s3 mode, copies of the bucket's objects named like them).</summary>
    public string[] OriginalsOnDisk() => TestStorage.Originals(Services, DataPath, OriginalsPath);

    /// <summary>
    /// Temp files left once the background renders are done (images are rendered after their upload: eager presets,
    /// Strapi formats; a render in progress has its temp file, which is no leak).
    /// </summary>
    public string[] TempFilesOnDisk()
    {
        WaitForBackgroundRenders();
        return Directory.Exists(TempPath) ? Directory.GetFiles(TempPath) : [];
    }

    /// <summary>
    /// Waits until the background has rendered what was stored (issue 17: Strapi formats, eager presets), failing
    /// the test if it does not finish. Tests that count renders or derivatives start from here.
    /// </summary>
    public void WaitForBackgroundRenders()
    {
        var eager = Service<global::AssetServer.Assets.EagerPresets>();
        Assert.That(SpinWait.SpinUntil(() => eager.Pending == 0, TimeSpan.FromSeconds(30)), Is.True, "the background renders finished");
    }

    /// <summary>Uploads one file with optional fields (sent before the file part, as Directus wants).</summary>
    public async Task<HttpResponseMessage> UploadAsync(byte[] bytes, string fileName, string? contentType = null,
        params (string Name, string Value)[] fields)
    {
        using var client = AdminClient();
        using var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields) form.Add(new StringContent(value), name);
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? "application/octet-stream");
        form.Add(file, "file", fileName);
        return await client.PostAsync("/files", form);
    }

    /// <summary>Uploads and returns the file object, failing the test if the upload did not succeed.</summary>
    public async Task<JsonObject> UploadOkAsync(byte[] bytes, string fileName, string? contentType = null,
        params (string Name, string Value)[] fields)
    {
        using var response = await UploadAsync(bytes, fileName, contentType, fields);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        return JsonNode.Parse(body)!["data"]!.AsObject();
    }

    /// <summary>
    /// The file object once the background is done with it (issue 17: a placeholder that needs a decode is stored
    /// after the upload's answer), failing the test if it cannot be read.
    /// </summary>
    public async Task<JsonObject> FileAfterBackgroundAsync(string id)
    {
        WaitForBackgroundRenders();
        using var client = AdminClient();
        using var response = await client.GetAsync($"/files/{id}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        return JsonNode.Parse(body)!["data"]!.AsObject();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing || handedOver) return;
        if (ownDatabase is not null) TestDatabase.Drop(ownDatabase);
        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow shutdown; the temp folder is cleaned by the OS.
        }
    }
}
