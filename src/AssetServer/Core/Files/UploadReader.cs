using AssetServer.Errors;
using AssetServer.Metadata;
using AssetServer.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace AssetServer.Files;

/// <summary>
/// An upload streamed to a temp file in the data folder: its bytes are written, sized, hashed and typed, but not yet
/// an original. The caller commits it (rename + row) or deletes it.
/// </summary>
public sealed record StagedUpload(string TempPath, string FileName, string Type, long Size, string Checksum, FileInput Fields)
{
    /// <summary>
    /// The fsync of the temp file, started when its last byte was written. Await it before the rename that makes the
    /// bytes an original (<see cref="FileService"/> does, right before <c>PutAsync</c>): meanwhile the metadata scrape
    /// reads the file, so the two overlap (issue 17) and the rename still never precedes the fsync.
    /// </summary>
    public Task Durable { get; init; } = Task.CompletedTask;
}

/// <summary>A multipart form read by <see cref="UploadReader.ReadFormAsync"/>: its staged files and its text fields, in order.</summary>
public sealed record UploadForm(List<StagedUpload> Files, List<KeyValuePair<string, string>> Fields);

/// <summary>
/// Reads <c>multipart/form-data</c> as a stream (never buffered whole): the fields before each file part
/// belong to that file, as in Directus; fields after the last file are ignored.
/// </summary>
public sealed class UploadReader(FileStore store, IOptions<UploadsOptions> options, IOptions<FilesOptions> files, Budgets.ClientBudgets budgets)
{
    private const int MaxFieldBytes = 1 << 20;
    private const int MaxFilesPerRequest = 100;

    /// <summary>All header lines of one part together (ASP.NET Core's default).</summary>
    private const int MaxHeaderBytes = 16 * 1024;

    /// <summary>
    /// What may be read while looking for a part: its headers, the boundary line before them, and some of the part's
    /// body the reader buffers ahead (a read past the allowance is cut short, so a larger buffer is no reason to fail).
    /// </summary>
    private const int MaxPartFramingBytes = MaxHeaderBytes + 8 * 1024;

    /// <summary>
    /// The multipart reader's buffer. Its default (4 KiB) hands a file part over in 4 KiB reads, each one an async
    /// read, a hash update and a file write: about 600 of them for a 12 MP photo (issue 17, benchmarks/RESULTS.md).
    /// </summary>
    private const int ReadBufferBytes = 64 * 1024;

    public static bool IsMultipart(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);

    public async Task<List<StagedUpload>> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        var fields = new FileInput(files.Value);
        var staged = await ReadPartsAsync(request, _ => true, (name, text) => fields.SetText(name, text), () =>
        {
            var own = fields;
            fields = new FileInput(files.Value);
            return own;
        }, ct);
        if (staged.Count == 0) throw ApiErrors.InvalidPayload("No files were included in the body");
        return staged;
    }

    /// <summary>
    /// A form whose text fields are not Directus file fields (Strapi's <c>fileInfo</c>, <c>ref</c>…): the files from
    /// parts whose name <paramref name="isFilePart"/> accepts, in request order, each with empty
    /// <see cref="StagedUpload.Fields"/>, and every text field as sent. File parts under other names are read past
    /// and dropped, as Strapi does; no files is not an error here.
    /// </summary>
    public async Task<UploadForm> ReadFormAsync(HttpRequest request, Func<string, bool> isFilePart, CancellationToken ct)
    {
        var fields = new List<KeyValuePair<string, string>>();
        var staged = await ReadPartsAsync(request, isFilePart, (name, text) => fields.Add(new(name, text)), () => new FileInput(files.Value), ct, skipOtherFiles: true);
        return new UploadForm(staged, fields);
    }

    /// <summary>
    /// The multipart loop: text fields go to <paramref name="onField"/>; each file part is staged with the fields
    /// <paramref name="takeFields"/> hands over. File parts under other names are refused, as unknown fields are.
    /// </summary>
    private async Task<List<StagedUpload>> ReadPartsAsync(
        HttpRequest request, Func<string, bool> isFilePart, Action<string, string> onField, Func<FileInput> takeFields, CancellationToken ct,
        bool skipOtherFiles = false)
    {
        var limits = options.Value;
        var bodyLimit = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (bodyLimit is { IsReadOnly: false }) bodyLimit.MaxRequestBodySize = limits.MaxBytes + MaxFieldBytes;

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType))
            throw ApiErrors.InvalidPayload("Content-Type is not multipart/form-data");
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary) || boundary.Length > 200)
            throw ApiErrors.InvalidPayload("The multipart body has no valid boundary");

        var staged = new List<StagedUpload>();
        try
        {
            var body = new HeaderReadLimit(request.Body, MaxPartFramingBytes);
            var reader = new MultipartReader(boundary, body, ReadBufferBytes) { HeadersLengthLimit = MaxHeaderBytes, HeadersCountLimit = 16 };
            long total = 0;
            var fieldBytes = 0L;
            while (await body.NextSectionAsync(reader, ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                    throw ApiErrors.InvalidPayload("Every multipart part needs a form-data Content-Disposition");
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                var fileName = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : HeaderUtilities.RemoveQuotes(disposition.FileName).Value;

                // A part with an empty filename is a plain field (Directus does the same).
                if (string.IsNullOrEmpty(fileName))
                {
                    var text = await ReadFieldAsync(section, name, ct);
                    // Each field is bounded; so is their sum, or a body of many fields would be held whole.
                    fieldBytes += text.Length;
                    if (fieldBytes > MaxFieldBytes) throw ApiErrors.InvalidPayload($"The form's text fields are larger than {MaxFieldBytes} bytes in all");
                    onField(name, text);
                    continue;
                }
                if (!isFilePart(name))
                {
                    if (!skipOtherFiles) throw ApiErrors.InvalidPayload($"Unexpected file part \"{Short(name)}\"");
                    await section.Body.CopyToAsync(Stream.Null, ct); // bounded by the request's body limit
                    continue;
                }

                if (staged.Count >= MaxFilesPerRequest)
                    throw ApiErrors.InvalidPayload($"At most {MaxFilesPerRequest} files may be sent in one request");
                var upload = await StageAsync(section.Body, fileName, section.ContentType, takeFields(), limits.MaxBytes, total, ct);
                staged.Add(upload);
                total += upload.Size;
            }
            return staged;
        }
        catch (Exception e)
        {
            foreach (var upload in staged) store.TryDelete(upload.TempPath);
            if (IsMalformedBody(e) && !ct.IsCancellationRequested) throw ApiErrors.InvalidPayload(
                "Malformed multipart body: " + (e is InvalidDataException ? e.Message : "the body ended before its closing boundary"));
            throw;
        }
    }

    private static string Short(string text) => text.Length > 64 ? text[..64] + "…" : text;

    /// <summary>A body that ends early or breaks the multipart grammar; a failing disk is classified apart.</summary>
    private static bool IsMalformedBody(Exception e) =>
        (e is InvalidDataException or IOException and not BadHttpRequestException) && StorageErrors.Classify(e) is null;

    /// <summary>One file's charge to the current client's uploads budget (429 past it), for a caller that must pay before it fetches.</summary>
    public void ChargeUpload() => budgets.ChargeUpload();

    /// <summary>
    /// Streams one body to a temp file, hashing and counting as it goes; deletes the temp file on any failure. Past
    /// <paramref name="limit"/> bytes, counting the <paramref name="alreadyRead"/> bytes of earlier files, it is a 413
    /// naming that limit (the caller's: uploads and imports have their own). Each file costs one unit of the client's
    /// uploads budget (429 past it).
    /// </summary>
    public async Task<StagedUpload> StageAsync(
        Stream body, string clientFileName, string? clientType, FileInput fields, long limit, long alreadyRead, CancellationToken ct, bool charged = false)
    {
        // Every path that writes bytes stages them here (multipart on every dialect, v8's JSON data, imports), so
        // the uploads budget is charged here, once per file, before a byte is written (an import, before its fetch).
        if (!charged) ChargeUpload();
        var limits = options.Value;
        var temp = store.NewTempPath();
        try
        {
            var head = new byte[ContentSniffer.HeadLength];
            var headLength = 0;
            long size = 0;
            string checksum;
            await using (var file = new OverlappedFileWriter(temp))
            {
                // Two buffers: the network fills one while the other is hashed and written.
                byte[] buffer = new byte[ReadBufferBytes], spare = new byte[ReadBufferBytes];
                int read;
                while ((read = await body.ReadAsync(buffer, ct)) > 0)
                {
                    size += read;
                    if (alreadyRead + size > limit) throw ApiErrors.ContentTooLarge(limit);
                    if (headLength < head.Length)
                    {
                        var take = Math.Min(read, head.Length - headLength);
                        Array.Copy(buffer, 0, head, headLength, take);
                        headLength += take;
                    }
                    await file.WriteAsync(buffer.AsMemory(0, read));
                    (buffer, spare) = (spare, buffer);
                }
                checksum = await file.CompleteAsync();
            }

            var fileName = FileNames.Sanitise(clientFileName);
            if (size == 0) throw ApiErrors.InvalidPayload($"The file \"{fileName}\" is empty");
            var type = ContentSniffer.Sniff(head.AsSpan(0, headLength), fileName, clientType);
            if (!limits.IsAllowed(type)) throw ApiErrors.TypeNotAllowed(type);
            // fsync: the bytes must be on disk before the rename makes them an original. Started here, awaited before
            // the rename (StagedUpload.Durable), so the scrape and the placeholder run while the disk works.
            var durable = Task.Run(() => FlushToDisk(temp), CancellationToken.None);
            return new StagedUpload(temp, fileName, type, size, checksum, fields) { Durable = durable };
        }
        catch
        {
            store.TryDelete(temp);
            throw;
        }
    }

    /// <summary>fsync of a written file through a new descriptor (Linux flushes the file's data, whichever descriptor asks).</summary>
    private static void FlushToDisk(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1);
        file.Flush(flushToDisk: true);
    }

    private static async Task<string> ReadFieldAsync(MultipartSection section, string name, CancellationToken ct)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await section.Body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxFieldBytes) throw ApiErrors.InvalidPayload($"Field \"{name}\" is larger than {MaxFieldBytes} bytes");
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
