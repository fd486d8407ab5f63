using System.Text.Json.Nodes;
using AssetServer.Files;

namespace AssetServer.V8;

/// <summary>Where a v8 answer's URLs point: the request's origin (as v8's <c>get_url()</c>) and the project.</summary>
public sealed record V8Urls(string BaseUrl, string Project)
{
    public static V8Urls Of(HttpRequest request, string project) =>
        new($"{request.Scheme}://{request.Host}{request.PathBase}", project);

    /// <summary><c>/uploads/&lt;project&gt;/originals/&lt;filename_disk&gt;</c>, served by <see cref="V8Api"/>.</summary>
    public string Original(FileRecord record) => $"/uploads/{Project}/originals/{Uri.EscapeDataString(record.FilenameDisk)}";

    public string Asset(FileRecord record) => $"/{Project}/assets/{record.PrivateHash}";
}

/// <summary>
/// A file as v8 shows it: Directus's file object (the same record every dialect reads, README "One file, every
/// dialect"), then <c>private_hash</c> and <c>data</c> = <c>{full_url, url, asset_url, thumbnails, embed}</c>.
/// </summary>
public sealed class V8FileObject(V8Thumbnails thumbnails)
{
    /// <summary>The object with <paramref name="fields"/> (null: all).</summary>
    public JsonObject Build(FileRecord record, V8Urls urls, IReadOnlySet<string>? fields = null)
    {
        var json = record.ToJson();
        json["private_hash"] = record.PrivateHash;
        // Seed 003: v8's duration is in seconds; the record holds Directus's milliseconds.
        json["duration"] = record.Duration is { } ms ? (int)Math.Round(ms / 1000.0, MidpointRounding.AwayFromZero) : null;
        if (fields is null || fields.Contains("data")) json["data"] = Data(record, urls);
        if (fields is not null)
        {
            foreach (var name in json.Select(p => p.Key).Where(name => !fields.Contains(name)).ToList()) json.Remove(name);
        }
        return json;
    }

    /// <summary>
    /// v8's <c>append_storage_information</c>: the original's URLs, the private asset URL, the thumbnails, and
    /// <c>embed</c> (v8's YouTube/Vimeo embeds; null for every uploaded file, and only uploads exist here).
    /// </summary>
    private JsonObject Data(FileRecord record, V8Urls urls)
    {
        var url = urls.Original(record);
        return new JsonObject
        {
            ["full_url"] = urls.BaseUrl + url,
            ["url"] = url,
            ["asset_url"] = urls.Asset(record),
            ["thumbnails"] = thumbnails.Describe(record, urls.BaseUrl, urls.Project),
            ["embed"] = null,
        };
    }
}
