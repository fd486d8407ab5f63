using System.Text.Json.Nodes;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Files.Import;
using AssetServer.Storage;
using Microsoft.Extensions.Options;

namespace AssetServer.V8;

/// <summary>What a v8 <c>POST</c> or <c>PATCH</c> carries: new bytes (staged, not yet stored) or none, and the fields to set.</summary>
public sealed record V8Write(StagedUpload? Upload, FileInput Fields);

/// <summary>
/// Reads v8's file writes onto the core's staging: <c>data</c> as a multipart file part, a base64 string, a
/// <c>data:</c> URI or a URL (fetched through the SSRF-guarded importer), beside the file's fields. Every form ends in
/// <see cref="UploadReader.StageAsync"/>, so the type is sniffed from the bytes and the size limits hold; bad input
/// leaves no temp file behind.
/// </summary>
public sealed class V8Uploads(UploadReader uploads, UrlImporter importer, FileStore store, IOptions<UploadsOptions> uploadLimits, IOptions<FilesOptions> limits)
{
    private const string DataField = "data";

    /// <summary>
    /// The write a request carries. Multipart: any one file part (v8 takes the first uploaded file whatever its name),
    /// text fields in any order (v8 reads them all, before or after the file). JSON: the fields, with <c>data</c>.
    /// <paramref name="current"/> is the file a PATCH writes to; null for a create, which needs <c>data</c> and may send
    /// <c>storage</c>/<c>type</c>, as with <c>/files</c>.
    /// </summary>
    public async Task<V8Write> ReadAsync(HttpRequest request, FileRecord? current, CancellationToken ct)
    {
        var creating = current is null;
        var (upload, fields, data) = UploadReader.IsMultipart(request) ? await ReadFormAsync(request, ct) : await ReadJsonAsync(request, creating, ct);
        if (upload is null && data is not null) upload = await StageDataAsync(data, fields, current?.FilenameDownload, ct);
        if (upload is null && creating) throw V8Errors.EmptyPayload("\"data\" is required: a file part, a base64 string, a data: URI or a URL");
        return new V8Write(upload, fields);
    }

    /// <summary>The JSON fields of a batch update (<c>PATCH /_/files/1,2</c>): no <c>data</c>, one set of bytes is not many files' contents.</summary>
    public async Task<FileInput> ReadFieldsAsync(HttpRequest request, CancellationToken ct)
    {
        if (UploadReader.IsMultipart(request)) throw V8Errors.InvalidRequest("Several files are updated with JSON fields; replace contents one file at a time");
        var (_, fields, data) = await ReadJsonAsync(request, creating: false, ct);
        if (data is not null) throw V8Errors.InvalidRequest("\"data\" replaces one file's contents; send it to one file at a time");
        return fields;
    }

    private async Task<(StagedUpload?, FileInput, string?)> ReadFormAsync(HttpRequest request, CancellationToken ct)
    {
        var form = await uploads.ReadFormAsync(request, _ => true, ct);
        try
        {
            if (form.Files.Count > 1) throw V8Errors.BatchUploadNotAllowed();
            var fields = new FileInput(limits.Value);
            string? data = null;
            foreach (var (name, text) in form.Fields)
            {
                if (name == DataField) data = text;
                else fields.SetText(name, text);
            }
            if (form.Files.Count == 1 && data is not null)
                throw V8Errors.InvalidRequest("Send \"data\" either as a file part or as text, not both");
            return (form.Files.Count == 1 ? form.Files[0] with { Fields = fields } : null, fields, data);
        }
        catch
        {
            foreach (var file in form.Files) store.TryDelete(file.TempPath);
            throw;
        }
    }

    private async Task<(StagedUpload?, FileInput, string?)> ReadJsonAsync(HttpRequest request, bool creating, CancellationToken ct)
    {
        var body = await JsonBody.ReadObjectAsync(request, ct);
        string? data = null;
        if (body.Remove(DataField, out var node))
        {
            data = node is JsonValue value && value.TryGetValue<string>(out var text)
                ? text
                : throw V8Errors.InvalidRequest("\"data\" must be a base64 string, a data: URI or a URL");
        }
        return (null, FileInput.FromJson(body, creating, limits.Value), data);
    }

    /// <summary>
    /// <c>data</c> as text: an http(s) URL is imported, a <c>data:</c> URI or bare base64 is decoded. The name is
    /// <c>filename_download</c> when sent, else the URL's last segment; decoded bytes without one keep the name of the
    /// file they replace (<paramref name="currentName"/>), or a new file is <c>file.&lt;ext&gt;</c> of the sniffed type.
    /// </summary>
    private async Task<StagedUpload> StageDataAsync(string data, FileInput fields, string? currentName, CancellationToken ct)
    {
        data = data.Trim();
        if (data.Length == 0) throw V8Errors.EmptyPayload("\"data\" is empty");
        if (data.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || data.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            return await importer.FetchAsync(data, fields, ct);

        var (bytes, clientType) = data.StartsWith("data:", StringComparison.OrdinalIgnoreCase) ? DecodeDataUri(data) : (Base64(data), null);
        if (bytes.Length == 0) throw V8Errors.EmptyPayload("\"data\" holds no bytes");
        var name = fields.GetString("filename_download") ?? currentName;
        using var body = new MemoryStream(bytes, writable: false);
        var staged = await uploads.StageAsync(body, name ?? "file", clientType, fields, uploadLimits.Value.MaxBytes, alreadyRead: 0, ct);
        return name is null ? staged with { FileName = "file." + Metadata.ContentSniffer.ExtensionFor(staged.Type) } : staged;
    }

    /// <summary><c>data:[&lt;type&gt;][;base64],&lt;data&gt;</c> (RFC 2397); the type is only a hint, the bytes decide.</summary>
    private static (byte[], string?) DecodeDataUri(string uri)
    {
        var comma = uri.IndexOf(',');
        if (comma < 0) throw V8Errors.InvalidRequest("\"data\" is not a valid data: URI (no comma before the data)");
        var header = uri[5..comma].Split(';', StringSplitOptions.TrimEntries);
        var payload = uri[(comma + 1)..];
        var type = header[0].Length > 0 ? header[0] : null;
        if (header.Skip(1).Contains("base64", StringComparer.OrdinalIgnoreCase)) return (Base64(payload), type);
        return (System.Text.Encoding.UTF8.GetBytes(Uri.UnescapeDataString(payload)), type);
    }

    private static byte[] Base64(string text)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw V8Errors.InvalidRequest("\"data\" is not valid base64, a data: URI or an http(s) URL");
        }
    }
}
