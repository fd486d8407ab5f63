using System.Text.Json;
using System.Text.Json.Nodes;

namespace AssetServer.Files;

/// <summary>One row of <c>files</c>: an original and what is known about it. Columns map by name (snake_case).</summary>
public sealed class FileRecord
{
    public string Id { get; set; } = "";
    public string Storage { get; set; } = "local";
    public string FilenameDisk { get; set; } = "";
    public string FilenameDownload { get; set; } = "";
    public string? Title { get; set; }
    public string? Type { get; set; }
    public string? Folder { get; set; }
    public string? UploadedBy { get; set; }
    public string CreatedOn { get; set; } = "";
    public string? ModifiedBy { get; set; }
    public string ModifiedOn { get; set; } = "";
    public string? Charset { get; set; }
    public long Filesize { get; set; }
    public int? Width { get; set; }
    public int? Height { get; set; }
    public int? Duration { get; set; }
    public string? Embed { get; set; }
    public string? Description { get; set; }
    public string? Location { get; set; }
    /// <summary>JSON array of strings, as stored.</summary>
    public string? Tags { get; set; }
    /// <summary>JSON object, as stored.</summary>
    public string? Metadata { get; set; }
    public int? FocalPointX { get; set; }
    public int? FocalPointY { get; set; }
    public string? UploadedOn { get; set; }
    /// <summary>Hex SHA-256 of the bytes (ext).</summary>
    public string? Checksum { get; set; }
    /// <summary>Strapi's integer <c>id</c>: assigned at upload from a counter, never reused.</summary>
    public long NumericId { get; set; }
    /// <summary>Strapi 5's <c>documentId</c>: 24 random lowercase letters and digits.</summary>
    public string DocumentId { get; set; } = "";
    /// <summary>The public name under <c>/uploads</c> without its extension (Strapi's <c>hash</c>); kept by a replace.</summary>
    public string UploadHash { get; set; } = "";
    /// <summary>The extension of the uploaded file name, with its dot (Strapi's <c>ext</c>).</summary>
    public string UploadExt { get; set; } = "";
    /// <summary>
    /// <c>filename_download</c> as it was when the bytes were stored (upload or replace). Names that belong to the
    /// bytes, such as Strapi's format names, follow it, so a rename keeps them (as Strapi does).
    /// </summary>
    public string UploadFilename { get; set; } = "";
    /// <summary>Directus v8's <c>private_hash</c>: 32 random hex digits naming the file under <c>/:project/assets/</c>.</summary>
    public string PrivateHash { get; set; } = "";
    /// <summary>Strapi's <c>alternativeText</c>.</summary>
    public string? AlternativeText { get; set; }

    /// <summary><c>&lt;hash&gt;&lt;ext&gt;</c>: the original's name under <c>/uploads</c>.</summary>
    public string UploadName => UploadHash + UploadExt;

    /// <summary>The wire object with the requested fields, in Directus's field order.</summary>
    public JsonObject ToJson(IReadOnlyCollection<string>? fields = null)
    {
        var json = new JsonObject();
        foreach (var field in fields is null ? FileFields.Visible : FileFields.All)
        {
            if (fields is not null && !fields.Contains(field.Name)) continue;
            json[field.Name] = field.Read(this);
        }
        return json;
    }

    /// <summary>
    /// The same object as <see cref="ToJson"/>, written straight to <paramref name="writer"/>: stored JSON columns are
    /// copied as they are (checked, not parsed into a tree), so a list of large rows never holds more than one row.
    /// </summary>
    /// <param name="expanded">Values that stand for fields (a relation expanded to its object, <c>fields=folder.name</c>).</param>
    public void WriteTo(Utf8JsonWriter writer, IReadOnlyCollection<string> fields, IReadOnlyDictionary<string, JsonNode?>? expanded = null)
    {
        writer.WriteStartObject();
        foreach (var field in FileFields.All)
        {
            if (!fields.Contains(field.Name)) continue;
            writer.WritePropertyName(field.Name);
            if (expanded is not null && expanded.TryGetValue(field.Name, out var replaced))
            {
                if (replaced is null) writer.WriteNullValue();
                else replaced.WriteTo(writer);
            }
            else if (field.StoredJson is { } stored)
            {
                if (stored(this) is { } text) writer.WriteRawValue(text);
                else writer.WriteNullValue();
            }
            else if (field.Read(this) is { } value) value.WriteTo(writer);
            else writer.WriteNullValue();
        }
        writer.WriteEndObject();
    }

    /// <summary>
    /// The stored bytes this record holds (UTF-8 text, 8 per number): what a list charges to its
    /// <see cref="Query.ReadBudget"/>. A column the statement did not read is empty here, so it costs nothing.
    /// </summary>
    public long StoredBytes()
    {
        // The seven numbers (filesize, numeric_id, width, height, duration, focal_point_x, focal_point_y), then the text.
        long bytes = 8 * 7;
        foreach (var text in (ReadOnlySpan<string?>)[Id, Storage, FilenameDisk, FilenameDownload, Title, Type, Folder, UploadedBy,
                     CreatedOn, ModifiedBy, ModifiedOn, Charset, Embed, Description, Location, Tags, Metadata, UploadedOn,
                     Checksum, DocumentId, UploadHash, UploadExt, PrivateHash, AlternativeText])
            bytes += Query.ReadBudget.Size(text);
        return bytes;
    }

    public FileRecord Clone() => (FileRecord)MemberwiseClone();
}
