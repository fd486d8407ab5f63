using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using Npgsql;

namespace AssetServer.Tests.Cluster;

/// <summary>
/// Two real server processes, A and B, on one PostgreSQL database and one S3 bucket prefix (both fresh), behind
/// Debian's nginx: the deployment the README's "Running several nodes" describes, on loopback.
/// </summary>
public sealed class ClusterNodes : IAsyncDisposable
{
    private readonly string databaseName = "cluster_" + Guid.NewGuid().ToString("N");
    private readonly string root = Path.Combine(Path.GetTempPath(), "assetserver-cluster", Guid.NewGuid().ToString("N"));

    public ServerProcess A { get; private set; } = null!;
    public ServerProcess B { get; private set; } = null!;
    public NginxBalancer Balancer { get; private set; } = null!;

    public string Prefix { get; } = $"cluster-{Guid.NewGuid():N}/";
    public string ConnectionString { get; private set; } = "";

    public static async Task<ClusterNodes> StartAsync()
    {
        var nodes = new ClusterNodes();
        await nodes.CreateDatabaseAsync();
        var a = ServerProcess.StartAsync(nodes.DataPath("a"), nodes.Settings("a"));
        var b = ServerProcess.StartAsync(nodes.DataPath("b"), nodes.Settings("b"));
        nodes.A = await a;
        nodes.B = await b;
        nodes.Balancer = await NginxBalancer.StartAsync(nodes.A.BaseAddress, nodes.B.BaseAddress);
        return nodes;
    }

    /// <summary>Kills node A (SIGKILL) and starts it again on the same folder and node id, as a supervisor would.</summary>
    public async Task RestartAAsync()
    {
        A.Kill();
        A.Dispose();
        A = await ServerProcess.StartAsync(DataPath("a"), Settings("a"));
    }

    private string DataPath(string node) => Path.Combine(root, node);

    private (string, string)[] Settings(string node) =>
    [
        ("Database:Provider", "postgres"),
        ("Database:ConnectionString", ConnectionString),
        ("Storage:Provider", "s3"),
        ("Storage:S3:ServiceUrl", Engines.S3ServiceUrl),
        ("Storage:S3:Bucket", Engines.S3Bucket),
        ("Storage:S3:AccessKey", Engines.S3AccessKey),
        ("Storage:S3:SecretKey", Engines.S3SecretKey),
        ("Storage:S3:Region", "us-east-1"),
        ("Storage:S3:ForcePathStyle", "true"),
        ("Storage:S3:Prefix", Prefix),
        ("Server:NodeId", node),
        ("Metrics:Public", "true"),
        ("RateLimits:TransformsPerMinute", "0"),
        ("RateLimits:UploadsPerMinute", "0"),
        ("Assets:TransformTimeout", "60s"),
    ];

    private async Task CreateDatabaseAsync()
    {
        await using (var admin = new NpgsqlConnection(Engines.Postgres))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{databaseName}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(Engines.Postgres) { Database = databaseName }.ConnectionString;
    }

    /// <summary>A client of one node or of the balancer, with the admin token.</summary>
    public static HttpClient Admin(Uri baseAddress)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(120) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AssetServerApp.AdminToken);
        return client;
    }

    public static async Task<JsonObject> UploadAsync(HttpClient client, byte[] bytes, string name, string type = "image/png")
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        form.Add(file, "file", name);
        using var response = await client.PostAsync("/files", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        return JsonNode.Parse(body)!["data"]!.AsObject();
    }

    /// <summary>assetserver_renders_total of one node, from its /metrics.</summary>
    public static async Task<double> RendersAsync(Uri node)
    {
        using var client = new HttpClient { BaseAddress = node };
        var text = await client.GetStringAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("assetserver_renders_total ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Waits until one node's background has rendered what was stored on it (uploads queue their Strapi formats), from
    /// its /metrics, failing the test if it does not finish.
    /// </summary>
    public static async Task BackgroundRendersDoneAsync(Uri node)
    {
        using var client = new HttpClient { BaseAddress = node };
        for (var i = 0; i < 600; i++)
        {
            var text = await client.GetStringAsync("/metrics");
            if (text.Split('\n').Contains("assetserver_background_renders_pending 0")) return;
            await Task.Delay(50);
        }
        Assert.Fail($"the background renders of {node} did not finish");
    }

    /// <summary>Every object under this cluster's originals prefix, name → size.</summary>
    public Task<Dictionary<string, long>> StoredOriginalsAsync() => Engines.S3ObjectsAsync(Prefix + "files/");

    public async ValueTask DisposeAsync()
    {
        Balancer?.Dispose();
        A?.Dispose();
        B?.Dispose();
        try
        {
            await using var admin = new NpgsqlConnection(Engines.Postgres);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{databaseName}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // the throwaway cluster goes with the run
        }
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // a file a killed node left open; the OS cleans the temp folder
        }
    }
}
