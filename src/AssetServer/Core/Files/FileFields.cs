using System.Text.Json.Nodes;

namespace AssetServer.Files;

/// <summary>What kind of value a field holds: decides which filter operators apply and how values are bound.</summary>
public enum FieldKind { String, Uuid, Integer, DateTime, Json }

/// <summary>A column of <c>files</c> as the API sees it.</summary>
public sealed record FileField(string Name, FieldKind Kind, bool Writable, Func<FileRecord, JsonNode?> Read)
{
    /// <summary>The SQL that reads it: its column, or an expression over columns (never client text).</summary>
    public string Sql { get; init; } = Name;

    /// <summary>
    /// Not part of Directus's file object (so not in <c>fields=*</c>), but a column other dialects read and the query
    /// language may filter, sort and select.
    /// </summary>
    public bool Hidden { get; init; }

    /// <summary>
    /// The stored columns its value is made from: its own, or those of its expression. A statement that selects only
    /// some fields (<see cref="Query.FileQuery.ReadFields"/>) reads these.
    /// </summary>
    public IReadOnlyList<string> Columns { get; init; } = [Name];

    /// <summary>
    /// The table this field points into (a many-to-one relation, as Directus's <c>folder</c>): the query language
    /// filters through it (<c>filter[folder][name][_eq]=…</c>) and expands it (<c>fields=folder.name</c>).
    /// </summary>
    public Query.QueryTable? Related => RelatedTable?.Invoke();

    /// <summary>Gives <see cref="Related"/> when asked, so a table can point into itself (a folder's <c>parent</c>).</summary>
    public Func<Query.QueryTable>? RelatedTable { get; init; }

    /// <summary>For <see cref="FieldKind.Json"/> fields, the JSON text as stored, which a streamed list copies without parsing.</summary>
    public Func<FileRecord, string?>? StoredJson { get; init; }
}

/// <summary>
/// The allow-list of fields: the only names that ever reach SQL as identifiers, in the order
/// Directus returns them. Writable ones are those API.md lets a client set.
/// </summary>
public static class FileFields
{
    public static readonly IReadOnlyList<FileField> All =
    [
        new("id", FieldKind.Uuid, false, r => r.Id),
        new("storage", FieldKind.String, false, r => r.Storage),
        new("filename_disk", FieldKind.String, false, r => r.FilenameDisk),
        new("filename_download", FieldKind.String, true, r => r.FilenameDownload),
        new("title", FieldKind.String, true, r => r.Title),
        new("type", FieldKind.String, false, r => r.Type),
        new("folder", FieldKind.Uuid, true, r => r.Folder) { RelatedTable = () => Folders.FolderTable.Table },
        new("uploaded_by", FieldKind.Uuid, false, r => r.UploadedBy),
        new("created_on", FieldKind.DateTime, false, r => r.CreatedOn),
        new("modified_by", FieldKind.Uuid, false, r => r.ModifiedBy),
        new("modified_on", FieldKind.DateTime, false, r => r.ModifiedOn),
        new("charset", FieldKind.String, false, r => r.Charset),
        new("filesize", FieldKind.Integer, false, r => r.Filesize),
        new("width", FieldKind.Integer, false, r => r.Width),
        new("height", FieldKind.Integer, false, r => r.Height),
        new("duration", FieldKind.Integer, false, r => r.Duration),
        new("embed", FieldKind.String, false, r => r.Embed),
        new("description", FieldKind.String, true, r => r.Description),
        new("location", FieldKind.String, true, r => r.Location),
        Json("tags", r => r.Tags),
        Json("metadata", r => r.Metadata),
        new("focal_point_x", FieldKind.Integer, true, r => r.FocalPointX),
        new("focal_point_y", FieldKind.Integer, true, r => r.FocalPointY),
        new("uploaded_on", FieldKind.DateTime, false, r => r.UploadedOn),
        new("checksum", FieldKind.String, false, r => r.Checksum),
        // What the Strapi and v8 dialects call the same file (README "One file, every dialect").
        new("numeric_id", FieldKind.Integer, false, r => r.NumericId) { Hidden = true },
        new("document_id", FieldKind.String, false, r => r.DocumentId) { Hidden = true },
        new("upload_hash", FieldKind.String, false, r => r.UploadHash) { Hidden = true },
        new("upload_ext", FieldKind.String, false, r => r.UploadExt) { Hidden = true },
        new("alternative_text", FieldKind.String, true, r => r.AlternativeText) { Hidden = true },
        new("private_hash", FieldKind.String, false, r => r.PrivateHash) { Hidden = true },
        new("upload_filename", FieldKind.String, false, r => r.UploadFilename) { Hidden = true },
        // Strapi's size: kilobytes (1000 bytes) to two decimals, as Strapi stores and filters it.
        new("filesize_kb", FieldKind.Integer, false, r => Math.Round(r.Filesize / 1000.0, 2, MidpointRounding.AwayFromZero))
            { Hidden = true, Sql = "round(filesize / 1000.0, 2)", Columns = ["filesize"] },
        new("upload_url", FieldKind.String, false, r => "/uploads/" + r.UploadName)
            { Hidden = true, Sql = "('/uploads/' || upload_hash || upload_ext)", Columns = ["upload_hash", "upload_ext"] },
    ];

    /// <summary>Directus's file object: what <c>fields=*</c> returns.</summary>
    public static readonly IReadOnlyList<FileField> Visible = All.Where(f => !f.Hidden).ToArray();

    private static readonly Dictionary<string, FileField> ByName = All.ToDictionary(f => f.Name, StringComparer.Ordinal);

    public static FileField? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The fields searched by <c>search=</c>: the text a person would look for.</summary>
    public static readonly string[] Searchable = ["title", "filename_download", "description", "location", "tags", "type"];

    private static FileField Json(string name, Func<FileRecord, string?> stored) =>
        new(name, FieldKind.Json, true, r => stored(r) is { } text ? JsonNode.Parse(text) : null) { StoredJson = stored };
}
