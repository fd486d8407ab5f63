using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using AssetServer.Data;
using AssetServer.Files;
using AssetServer.Storage;
using Microsoft.Extensions.Options;

namespace AssetServer.Strapi;

/// <summary>
/// What both Strapi dialects do, in the core's terms: find a file by its integer id, read an upload form and pair its
/// <c>fileInfo</c>, and show a file with its formats. Storing, replacing and deleting are <see cref="FileService"/>'s.
/// </summary>
public sealed class StrapiFiles(
    FileService files, FileRepository repository, UploadReader uploads, FileStore store, StrapiFormats formats, IOptions<FilesOptions> limits)
{
    /// <summary>Strapi 5 names the file part <c>files</c>; Strapi 3 clients also send <c>files[]</c>.</summary>
    private static bool IsFilePart(string name) => name is "files" or "files[]";

    /// <summary>The file with this integer id; anything else (a documentId, text, an unknown number) is a 404.</summary>
    public async Task<FileRecord> FindAsync(string id, string notFoundMessage, CancellationToken ct)
    {
        var record = long.TryParse(id, System.Globalization.NumberStyles.None, null, out var number)
            ? await repository.GetByNumericIdAsync(number, ct)
            : null;
        return record ?? throw StrapiErrors.NotFound(notFoundMessage);
    }

    /// <summary>The file object; its formats are described, never rendered (issue 17: the background renders them).</summary>
    public async Task<JsonObject> ShowAsync(FileRecord record, StrapiVersion version, IReadOnlySet<string>? fields, bool related, CancellationToken ct)
    {
        var described = fields is null || fields.Contains("formats") ? formats.Describe(record) : null;
        var links = related ? (await repository.LinksAsync([record.Id], ct))[record.Id] : null;
        return StrapiFileObject.Build(record, described, version, fields, links);
    }

    /// <summary>The rows of a list query as file objects, one at a time.</summary>
    public async IAsyncEnumerable<JsonObject> ListAsync(StrapiListQuery query, StrapiVersion version, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var record in files.ListAsync(query.Query, ct))
            yield return await ShowAsync(record, version, query.Fields, query.PopulateRelated, ct);
    }

    /// <summary>
    /// <c>POST</c> with <c>files</c>: new files, fileInfo <c>i</c> with file part <c>i</c>, all or none, linked to
    /// the entry named by <c>ref</c>/<c>refId</c>/<c>field</c>. Images whose header cannot be read are refused.
    /// </summary>
    public async Task<List<FileRecord>> UploadAsync(UploadForm form, CancellationToken ct)
    {
        if (form.Files.Count == 0) throw StrapiErrors.FilesEmpty();
        var staged = WithFileInfo(form);
        return await StrapiFileInfo.FolderChecked(files.CreateAsync(staged, ct, StrapiFileInfo.Link(form.Fields), rejectUnreadableImages: true));
    }

    /// <summary>
    /// <c>POST ?id=</c>: with one file, replaces the content (the hash and URL stay, formats follow the new bytes);
    /// without, applies the fileInfo. A form is read only after the id is known, so an unknown id reads no body.
    /// </summary>
    public async Task<FileRecord> UpdateAsync(FileRecord record, HttpRequest request, CancellationToken ct)
    {
        if (UploadReader.IsMultipart(request))
        {
            var form = await uploads.ReadFormAsync(request, IsFilePart, ct);
            if (form.Files.Count > 1)
            {
                foreach (var extra in form.Files) store.TryDelete(extra.TempPath);
                throw StrapiErrors.Validation("Only one file can replace a file's contents");
            }
            if (form.Files.Count == 1)
                return await StrapiFileInfo.FolderChecked(files.ReplaceAsync(record.Id, WithFileInfo(form)[0], ct, rejectUnreadableImages: true));
            var infos = StrapiFileInfo.Pair(form.Fields.Where(f => f.Key == "fileInfo").Select(f => f.Value));
            return await StrapiFileInfo.FolderChecked(files.UpdateAsync(record.Id, StrapiFileInfo.ToInput(infos.FirstOrDefault(), limits.Value), ct));
        }
        return await StrapiFileInfo.FolderChecked(files.UpdateAsync(record.Id, StrapiFileInfo.ToInput(await ReadFileInfoAsync(request, ct), limits.Value), ct));
    }

    /// <summary>Reads an upload form (<c>files</c> parts and text fields); no files is not yet an error.</summary>
    public Task<UploadForm> ReadFormAsync(HttpRequest request, CancellationToken ct) => uploads.ReadFormAsync(request, IsFilePart, ct);

    /// <summary>Deletes the file and every format; answers with the object as it was (described, nothing rendered).</summary>
    public async Task<JsonObject> DeleteAsync(FileRecord record, StrapiVersion version, CancellationToken ct)
    {
        var shown = await ShowAsync(record, version, fields: null, related: version == StrapiVersion.V3, ct);
        await files.DeleteAsync([record.Id], ct);
        return shown;
    }

    /// <summary>The staged files, each with its fileInfo; the temp files go if a fileInfo is refused.</summary>
    private List<StagedUpload> WithFileInfo(UploadForm form)
    {
        try
        {
            var infos = StrapiFileInfo.Pair(form.Fields.Where(f => f.Key == "fileInfo").Select(f => f.Value));
            return form.Files.Select((file, i) => file with { Fields = StrapiFileInfo.ToInput(i < infos.Count ? infos[i] : null, limits.Value) }).ToList();
        }
        catch
        {
            foreach (var file in form.Files) store.TryDelete(file.TempPath);
            throw;
        }
    }

    /// <summary><c>{"fileInfo":{…}}</c> as JSON, or <c>fileInfo[caption]=…</c> / <c>fileInfo={…}</c> urlencoded.</summary>
    private static async Task<JsonObject?> ReadFileInfoAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            var info = new JsonObject();
            foreach (var (key, value) in form)
            {
                if (key == "fileInfo") return StrapiFileInfo.Pair([value.ToString()]).FirstOrDefault();
                if (key.StartsWith("fileInfo[", StringComparison.Ordinal) && key.EndsWith(']'))
                    info[key["fileInfo[".Length..^1]] = value.ToString() is "null" ? null : JsonValue.Create(value.ToString());
            }
            return info;
        }
        var body = await JsonBody.ReadObjectAsync(request, ct);
        return body["fileInfo"] switch
        {
            JsonObject info => info,
            JsonValue text when text.TryGetValue<string>(out var s) => StrapiFileInfo.Pair([s]).FirstOrDefault(),
            null => throw StrapiErrors.Validation("fileInfo is required"),
            _ => throw StrapiErrors.Validation("fileInfo must be an object"),
        };
    }
}
