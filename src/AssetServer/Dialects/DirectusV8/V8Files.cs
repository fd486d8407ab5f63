using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using AssetServer.Assets;
using AssetServer.Data;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Transforms;

namespace AssetServer.V8;

/// <summary>
/// What the v8 routes do, in the core's terms: find files by id or private hash (v8's 404 "Item not found", where
/// Directus 9 answers 403), show them as v8 objects, and pick the transform of an asset request. Storing, replacing,
/// deleting and rotating are <see cref="FileService"/>'s.
/// </summary>
public sealed class V8Files(FileService files, FileRepository repository, V8FileObject objects, V8Thumbnails thumbnails, Folders.FolderService folders)
{
    /// <summary>v8's asset parameters besides <c>key</c>: width, height, fit (crop|contain) and quality.</summary>
    private static readonly string[] SizeParameters = ["w", "h", "f", "q"];

    /// <summary>Ids stay the core's UUIDs; anything else names no file.</summary>
    public static string ParseId(string id) =>
        Guid.TryParseExact(id, "D", out var guid) ? guid.ToString("D") : throw V8Errors.ItemNotFound();

    /// <summary>v8 takes <c>1,2,3</c> where one id goes; at most 100 of them.</summary>
    public static List<string> ParseIds(string ids)
    {
        var parts = ids.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length > 100) throw V8Errors.InvalidRequest("At most 100 ids may be given at once");
        return parts.Select(ParseId).Distinct().ToList();
    }

    public async Task<FileRecord> FindAsync(string id, CancellationToken ct) =>
        await repository.GetAsync(ParseId(id), ct) ?? throw V8Errors.ItemNotFound();

    /// <summary>Every file named, in the order given; one missing is a 404, as v8's <c>findByIds</c>.</summary>
    public async Task<List<FileRecord>> FindManyAsync(IEnumerable<string> ids, CancellationToken ct)
    {
        var records = new List<FileRecord>();
        foreach (var id in ids) records.Add(await FindAsync(id, ct));
        return records;
    }

    /// <summary>The file a private hash names (letters and digits, at most 128); anything else names none: v8's 404.</summary>
    public static AssetLocator PrivateHash(string hash) =>
        hash.Length is > 0 and <= 128 && hash.All(char.IsAsciiLetterOrDigit) ? new AssetLocator.PrivateHash(hash) : throw V8Errors.ItemNotFound();

    /// <summary>
    /// A write through the core, where a file that vanished meanwhile is v8's 404 (the core's 403 keeps Directus 9's
    /// rule of not telling missing from forbidden; v8 answers "Item not found", and permissions are settled before).
    /// </summary>
    public static async Task<T> ExistingAsync<T>(Task<T> write)
    {
        try
        {
            return await write;
        }
        catch (ApiException e) when (e.Code == "FORBIDDEN")
        {
            throw V8Errors.ItemNotFound();
        }
    }

    /// <summary>The v8 object of a file, its folder expanded when <paramref name="item"/> asks (one folder read at most).</summary>
    public async Task<JsonObject> ShowAsync(FileRecord record, V8Urls urls, V8ItemQuery item, CancellationToken ct) =>
        (await ShowAllAsync([record], urls, item, ct))[0];

    /// <summary>The v8 objects of files, in order; their folders, when expanded, read in one statement.</summary>
    public async Task<List<JsonObject>> ShowAllAsync(IReadOnlyList<FileRecord> records, V8Urls urls, V8ItemQuery item, CancellationToken ct)
    {
        var known = item.ExpandFolder ? await folders.GetManyAsync(records.Select(r => r.Folder).OfType<string>().Distinct().ToList(), ct) : null;
        return records.Select(record => Expand(objects.Build(record, urls, item.Fields), record, known)).ToList();
    }

    /// <summary>The files of a list query as v8 objects, one at a time; each folder read once when expanded.</summary>
    public async IAsyncEnumerable<JsonObject> ListAsync(V8ListQuery query, V8Urls urls, [EnumeratorCancellation] CancellationToken ct)
    {
        var known = query.ExpandFolder ? new Dictionary<string, Folders.FolderRecord>(StringComparer.Ordinal) : null;
        await foreach (var record in files.ListAsync(query.Query, ct))
        {
            if (known is not null && record.Folder is { } id && !known.ContainsKey(id))
                foreach (var (key, folder) in await folders.GetManyAsync([id], ct)) known[key] = folder;
            yield return Expand(objects.Build(record, urls, query.Fields), record, known);
        }
    }

    /// <summary>v8's expanded many-to-one: <c>folder</c> as <c>{id, name, parent_folder}</c>, null outside any folder.</summary>
    private static JsonObject Expand(JsonObject json, FileRecord record, IReadOnlyDictionary<string, Folders.FolderRecord>? known)
    {
        if (known is null || !json.ContainsKey("folder")) return json;
        json["folder"] = record.Folder is { } id && known.TryGetValue(id, out var folder) ? V8Folders.Show(folder) : null;
        return json;
    }

    /// <summary>The revisions of a list query as v8 revision objects, one at a time.</summary>
    public async IAsyncEnumerable<JsonObject> RevisionsAsync(V8ListQuery query, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var row in repository.ListRowsAsync(query.Query, ct)) yield return V8Revisions.Build(row, query.Fields);
    }

    /// <summary>
    /// The transform an asset request asks for, in the core's terms. <c>key</c> is one of v8's system thumbnails (and
    /// wins over the other parameters, as in v8); else <c>w</c>, <c>h</c>, <c>f</c>, <c>q</c> become the core's
    /// <c>width</c>, <c>height</c>, <c>fit</c>, <c>quality</c>, under the <c>/assets</c> parser's policy and limits. v8
    /// has no signatures, so with <c>Assets:SigningKey</c> set only the keys are served (v8's whitelist answer).
    /// </summary>
    public AssetTransform Transform(IQueryCollection query, bool signing)
    {
        if (query.TryGetValue("key", out var key))
        {
            var thumbnail = V8Thumbnails.Find(key.ToString()) ?? throw V8Errors.Unprocessable("Key doesn't exist.");
            return new AssetTransform.Defined(record => thumbnails.Request(record, thumbnail), OriginalWhenNone: true);
        }
        if (!SizeParameters.Any(query.ContainsKey)) return AssetTransform.None.Instance;
        if (signing) throw V8Errors.Unprocessable("The params don't match the asset whitelist.");
        var core = new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>(StringComparer.OrdinalIgnoreCase);
        if (query.TryGetValue("w", out var w)) core[TransformParameters.Width] = w;
        if (query.TryGetValue("h", out var h)) core[TransformParameters.Height] = h;
        if (query.TryGetValue("q", out var q)) core[TransformParameters.Quality] = q;
        if (query.TryGetValue("f", out var f))
        {
            core[TransformParameters.Fit] = f.ToString() switch
            {
                "crop" => "cover",
                "contain" => "inside",
                var other => throw V8Errors.Unprocessable($"Expected crop or contain for f but received \"{Short(other)}\""),
            };
        }
        return new AssetTransform.Query(new QueryCollection(core), Signed: false);
    }

    private static string Short(string text) => text.Length > 64 ? text[..64] + "…" : text;
}
