using AssetServer.Storage.S3;
using Microsoft.Extensions.DependencyInjection;

namespace AssetServer.Tests.Support;

/// <summary>
/// The store the suite runs against: local disk, or an S3-compatible server when <c>ASSETSERVER_TEST_STACK</c> ends
/// with <c>-s3</c> (<see cref="Engines"/>: bucket <c>ASSETSERVER_TEST_S3_BUCKET</c>, default <c>assetserver-tests</c>;
/// credentials s3rver's S3RVER/S3RVER). Each data folder gets its own key prefix (and node id), so an app restarted on
/// the same folder finds its objects and no two fixtures see each other's.
/// </summary>
public static class TestStorage
{
    public static string? ServiceUrl => Engines.StackUsesS3 ? Engines.S3ServiceUrl : null;

    public static bool IsS3 => ServiceUrl is not null;

    /// <summary>The store's name, as files' <c>storage</c> (and Strapi's <c>provider</c>) give it.</summary>
    public static string Provider => IsS3 ? "s3" : "local";

    public static string Bucket => Engines.S3Bucket;

    /// <summary>The settings of the store for an app over <paramref name="dataPath"/>; none for local disk.</summary>
    public static (string Key, string Value)[] Settings(string dataPath) =>
        ServiceUrl is { } url ? Settings(dataPath, url) : [];

    /// <summary>The settings of an S3 store at <paramref name="serviceUrl"/> (a test's own s3rver) for an app over <paramref name="dataPath"/>.</summary>
    public static (string Key, string Value)[] Settings(string dataPath, string serviceUrl)
    {
        var url = serviceUrl;
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(dataPath));
        return
        [
            ("Storage:Provider", "s3"),
            ("Storage:S3:ServiceUrl", url),
            ("Storage:S3:Bucket", Bucket),
            ("Storage:S3:AccessKey", Engines.S3AccessKey),
            ("Storage:S3:SecretKey", Engines.S3SecretKey),
            ("Storage:S3:ForcePathStyle", "true"),
            ("Storage:S3:Prefix", $"tests/{name}/"),
            ("Server:NodeId", $"test-{name}"),
        ];
    }

    /// <summary>
    /// The names of the originals a server over <paramref name="dataPath"/> holds (files in its folder, or objects under
    /// its prefix), for tests of a server process, whose services the test cannot reach.
    /// </summary>
    public static async Task<HashSet<string>> OriginalNamesAsync(string dataPath)
    {
        if (!IsS3) return Directory.GetFiles(Path.Combine(dataPath, "files")).Select(f => Path.GetFileName(f)).ToHashSet();
        return (await Engines.S3ObjectsAsync(OriginalsPrefix(dataPath))).Keys.ToHashSet();
    }

    /// <summary>The bytes of original <paramref name="name"/> of a server over <paramref name="dataPath"/>.</summary>
    public static async Task<byte[]> ReadOriginalAsync(string dataPath, string name)
    {
        if (!IsS3) return await File.ReadAllBytesAsync(Path.Combine(dataPath, "files", name));
        using var s3 = Engines.S3Client();
        using var response = await s3.GetObjectAsync(Bucket, OriginalsPrefix(dataPath) + name);
        using var bytes = new MemoryStream();
        await response.ResponseStream.CopyToAsync(bytes);
        return bytes.ToArray();
    }

    private static string OriginalsPrefix(string dataPath) => Settings(dataPath).Single(s => s.Key == "Storage:S3:Prefix").Value + "files/";

    /// <summary>
    /// The originals the app's store holds, as local files named like the originals (in s3 mode, downloaded into a
    /// mirror folder under the data folder), so a test can count them by name and compare their bytes.
    /// </summary>
    public static string[] Originals(IServiceProvider services, string dataPath, string originalsFolder)
    {
        if (services.GetRequiredService<AssetServer.Storage.IOriginalStore>().Provider != "s3")
            return Directory.Exists(originalsFolder) ? Directory.GetFiles(originalsFolder) : [];
        var bucket = services.GetRequiredService<S3Bucket>();
        // One mirror folder, so two listings of the same objects give the same paths (tests compare snapshots).
        var mirror = Path.Combine(dataPath, "s3-mirror");
        Directory.CreateDirectory(mirror);
        return Task.Run(async () =>
        {
            var paths = new List<string>();
            await foreach (var entry in bucket.ListAsync(bucket.OriginalsFolder))
            {
                var path = Path.Combine(mirror, entry.Key[bucket.OriginalsFolder.Length..]);
                File.Delete(path);
                if (await bucket.DownloadAsync(entry.Key, path, CancellationToken.None)) paths.Add(path);
            }
            return paths.ToArray();
        }).GetAwaiter().GetResult();
    }

    /// <summary>
    /// A local path holding original <paramref name="name"/>: its file on disk, or in s3 mode a copy of its object (a
    /// path that does not exist when the object does not).
    /// </summary>
    public static string Original(IServiceProvider services, string dataPath, string originalsFolder, string name)
    {
        if (services.GetRequiredService<AssetServer.Storage.IOriginalStore>().Provider != "s3") return Path.Combine(originalsFolder, name);
        var bucket = services.GetRequiredService<S3Bucket>();
        var path = Path.Combine(dataPath, "s3-mirror", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Delete(path);
        Task.Run(() => bucket.DownloadAsync(bucket.OriginalKey(name), path, CancellationToken.None)).GetAwaiter().GetResult();
        return path;
    }
}
