using System.Text.Json.Nodes;
using AssetServer.Data;
using AssetServer.Files;

namespace AssetServer.Strapi;

/// <summary>Which Strapi a route speaks: the file object differs in its timestamps, ids and <c>related</c>.</summary>
public enum StrapiVersion { V3, V5 }

/// <summary>
/// A file as Strapi's upload plugin shows it. The mapping onto the one record (README "One file, every dialect"):
/// <c>id</c> = <c>numeric_id</c>, <c>name</c> = <c>filename_download</c>, <c>caption</c> = <c>description</c>,
/// <c>alternativeText</c> = <c>alternative_text</c>, <c>focalPoint</c> = <c>focal_point_x/y</c>, <c>mime</c> =
/// <c>type</c>, <c>hash</c>/<c>ext</c> = <c>upload_hash</c>/<c>upload_ext</c>, <c>size</c> = <c>filesize</c> in KB.
/// </summary>
public static class StrapiFileObject
{
    /// <summary>Strapi's field names and the core field each one reads, for filters, sort and <c>fields</c>.</summary>
    public static readonly IReadOnlyDictionary<string, string> CoreFields = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["id"] = "numeric_id",
        ["documentId"] = "document_id",
        ["name"] = "filename_download",
        ["alternativeText"] = "alternative_text",
        ["caption"] = "description",
        ["width"] = "width",
        ["height"] = "height",
        ["hash"] = "upload_hash",
        ["ext"] = "upload_ext",
        ["mime"] = "type",
        ["size"] = "filesize_kb",
        ["url"] = "upload_url",
        ["provider"] = "storage",
        ["createdAt"] = "created_on",
        ["updatedAt"] = "modified_on",
        ["publishedAt"] = "created_on",
        ["created_at"] = "created_on",
        ["updated_at"] = "modified_on",
    };

    /// <summary>Fields an object has but no query can filter or sort on.</summary>
    public static readonly string[] OutputOnlyFields = ["focalPoint", "formats", "previewUrl", "provider_metadata", "isUrlSigned", "related"];

    /// <summary>Strapi's <c>size</c>: bytes / 1000 to two decimals (142746 B → 142.75).</summary>
    public static double Kilobytes(long bytes) => Math.Round(bytes / 1000.0, 2, MidpointRounding.AwayFromZero);

    /// <summary>
    /// The object with its <paramref name="formats"/>; <paramref name="fields"/> null means all, else those plus
    /// <c>id</c> and <c>documentId</c>. <paramref name="related"/> is added when not null (populated).
    /// </summary>
    public static JsonObject Build(
        FileRecord record, JsonObject? formats, StrapiVersion version, IReadOnlySet<string>? fields = null, IEnumerable<FileLink>? related = null)
    {
        var json = new JsonObject();
        void Add(string name, JsonNode? value)
        {
            if (fields is null || fields.Contains(name) || name is "id" or "documentId") json[name] = value;
        }

        Add("id", record.NumericId);
        if (version == StrapiVersion.V5) Add("documentId", record.DocumentId);
        Add("name", record.FilenameDownload);
        Add("alternativeText", record.AlternativeText);
        Add("caption", record.Description);
        if (version == StrapiVersion.V5)
            Add("focalPoint", record is { FocalPointX: { } x, FocalPointY: { } y } ? new JsonObject { ["x"] = x, ["y"] = y } : null);
        Add("width", record.Width);
        Add("height", record.Height);
        Add("formats", formats);
        Add("hash", record.UploadHash);
        Add("ext", record.UploadExt);
        Add("mime", record.Type);
        Add("size", Kilobytes(record.Filesize));
        Add("url", "/uploads/" + record.UploadName);
        Add("previewUrl", null);
        Add("provider", record.Storage);
        Add("provider_metadata", null);
        if (version == StrapiVersion.V5)
        {
            Add("createdAt", record.CreatedOn);
            Add("updatedAt", record.ModifiedOn);
            Add("publishedAt", record.CreatedOn);
            json["isUrlSigned"] = false;
        }
        else
        {
            Add("created_at", record.CreatedOn);
            Add("updated_at", record.ModifiedOn);
        }
        if (related is not null) json["related"] = new JsonArray(related.Select(Link).ToArray());
        return json;
    }

    /// <summary>
    /// A linked entry. AssetServer stores no entries, so an entry is what the upload named: its content type
    /// (<c>__type</c>, Strapi's key for polymorphic relations), its id and the field.
    /// </summary>
    private static JsonNode Link(FileLink link)
    {
        var json = new JsonObject
        {
            ["id"] = long.TryParse(link.RefId, out var number) ? JsonValue.Create(number) : JsonValue.Create(link.RefId),
            ["__type"] = link.Ref,
            ["field"] = link.Field,
        };
        if (link.Source is not null) json["source"] = link.Source;
        return json;
    }
}
