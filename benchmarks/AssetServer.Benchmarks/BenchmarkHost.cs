using AssetServer.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AssetServer.Benchmarks;

/// <summary>
/// The server's own service graph (<see cref="ServiceSetup.AddAssetServer"/>) over a fresh temporary data folder,
/// without Kestrel: the benchmarks measure the classes a request runs, built exactly as the server builds them
/// (same options, presets.json, defaults). No logging providers, so console output is not part of any figure.
/// </summary>
public sealed class BenchmarkHost : IDisposable
{
    private readonly ServiceProvider services;

    private BenchmarkHost(ServiceProvider services, string dataFolder, string workFolder)
    {
        this.services = services;
        DataFolder = dataFolder;
        WorkFolder = workFolder;
    }

    /// <summary>The server's data folder (SQLite file, originals, derivatives).</summary>
    public string DataFolder { get; }

    /// <summary>A scratch folder beside it for fixtures and render outputs.</summary>
    public string WorkFolder { get; }

    public static BenchmarkHost Create()
    {
        var root = Directory.CreateTempSubdirectory("assetserver-bench-").FullName;
        var data = Path.Combine(root, "data");
        var work = Directory.CreateDirectory(Path.Combine(root, "work")).FullName;
        // BenchmarkDotNet runs each case from a generated folder under bin/; the search walks up to the repository root.
        var configFolder = ConfigFolder.Locate();
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(configFolder, "appsettings.json"), optional: true, reloadOnChange: false)
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConfigFolder"] = configFolder,
                ["Data:Path"] = data,
            })
            .Build();

        var collection = new ServiceCollection();
        collection.AddSingleton<IConfiguration>(configuration);
        collection.AddLogging();
        collection.AddAssetServer(configuration);
        return new BenchmarkHost(collection.BuildServiceProvider(), data, work);
    }

    /// <summary>The registered service, or one built from the registered services when the app makes it itself.</summary>
    public T Get<T>() where T : notnull => ActivatorUtilities.GetServiceOrCreateInstance<T>(services);

    public void Dispose()
    {
        services.Dispose();
        try
        {
            Directory.Delete(Path.GetDirectoryName(DataFolder)!, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow file system; the folder is under the temp directory and harmless.
        }
    }
}
