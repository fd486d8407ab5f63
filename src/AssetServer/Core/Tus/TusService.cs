using System.Security.Cryptography;
using AssetServer.Auth;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Metadata;
using Microsoft.Extensions.Options;

namespace AssetServer.Tus;

/// <summary>What a chunk left: the upload as now recorded, and the file it became when that was its last byte.</summary>
public sealed record TusProgress(TusUpload Upload, FileRecord? File);

/// <summary>
/// The tus 1.0 protocol's core (creation, core, termination, expiration) over <c>tus_uploads</c> and
/// <see cref="ITusBytes"/>. An upload is not a file until its last byte is in: then it goes through the same
/// <see cref="FileService"/> path as a multipart upload (sniffing, scraping, placeholders, revisions, eager renders,
/// replacement), and only then has a row in <c>files</c>.
/// </summary>
public sealed class TusService(
    TusRepository repository,
    ITusBytes bytes,
    TusUploadLock locks,
    FileService files,
    Folders.FolderService folders,
    Storage.FileStore store,
    Budgets.ClientBudgets budgets,
    IOptions<UploadsOptions> uploads,
    IOptions<FilesOptions> fileOptions,
    IOptions<TusOptions> options,
    TimeProvider time,
    ILogger<TusService> logger)
{
    public long MaxBytes => uploads.Value.MaxBytes;

    private string ExpiresFromNow() => Stamp(time.GetUtcNow() + options.Value.UploadExpirationSpan);

    private static string Stamp(DateTimeOffset when) => FileService.Timestamp(new FixedTime(when));

    /// <summary>
    /// <c>POST /files/tus</c>: checks the length and the metadata now (a refusal after gigabytes helps nobody), and
    /// charges the uploads budget once for the whole upload, however many chunks it takes.
    /// </summary>
    public async Task<TusUpload> CreateAsync(long length, string? metadataHeader, Caller caller, CancellationToken ct)
    {
        if (length == 0) throw ApiErrors.InvalidPayload("Upload-Length is 0; an empty file is not an upload");
        if (length > MaxBytes) throw ApiErrors.ContentTooLarge(MaxBytes);
        var metadata = TusMetadata.Parse(metadataHeader, fileOptions.Value);
        // A file to replace that does not exist is FORBIDDEN, as for a multipart PATCH.
        if (metadata.Replaces is { } replaces) await files.GetAsync(replaces, ct);
        if (metadata.Folder is { } folder && (await folders.GetManyAsync([folder], ct)).Count == 0)
            throw Folders.FolderService.InvalidForeignKey("folder", Revisions.ChangeLog.FilesCollection, folder);
        budgets.ChargeUpload();
        var now = Stamp(time.GetUtcNow());
        var upload = new TusUpload(Guid.NewGuid().ToString("N"), length, 0, metadataHeader ?? "", metadata.Replaces, caller.Id, now, ExpiresFromNow());
        await repository.InsertAsync(upload, ct);
        return upload;
    }

    /// <summary>The caller's upload; 404 when there is none (another caller's included), 410 once expired.</summary>
    public async Task<TusUpload> GetAsync(string id, Caller caller, CancellationToken ct)
    {
        if (id.Length != 32 || !id.All(char.IsAsciiHexDigitLower)) throw TusErrors.NotFound(id);
        var upload = await repository.GetAsync(id, ct);
        if (upload is null || (upload.Owner != caller.Id && !caller.IsAdmin)) throw TusErrors.NotFound(id);
        if (upload.Expires <= time.GetUtcNow()) throw TusErrors.Expired(id);
        return upload;
    }

    /// <summary>
    /// <c>PATCH</c>: one chunk at <paramref name="offset"/>, under the upload's lock. The new offset is recorded only
    /// once the bytes are durable, so an acknowledged offset survives a crash. The last chunk completes the upload.
    /// </summary>
    public async Task<TusProgress> AppendAsync(string id, long offset, long? contentLength, Stream body, Caller caller, CancellationToken ct)
    {
        await using var held = await locks.AcquireAsync(id, ct);
        var upload = await GetAsync(id, caller, ct);
        if (upload.IsComplete)
        {
            // Every byte recorded and still a row: a completion cut short by a crash (it removes the row first thing
            // after assembling the bytes). Completions are never tried twice, so this upload ends here.
            if (await TryForgetAsync(id)) await bytes.DeleteAsync(id);
            throw TusErrors.NotFound(id);
        }
        if (offset != upload.UploadOffset) throw TusErrors.OffsetMismatch(upload.UploadOffset, offset);
        if (contentLength is { } sent && sent > upload.Length - offset) throw TusErrors.PastLength(upload.Length);
        var chunk = await bytes.AppendAsync(upload, body, ct);
        // From here on the client may be gone: what arrived is recorded all the same (its next HEAD learns it).
        var advanced = upload with { UploadOffset = offset + chunk.Written, ExpiresOn = ExpiresFromNow() };
        if (!await repository.AdvanceAsync(advanced, offset, CancellationToken.None)) throw TusErrors.NotFound(id);
        if (!advanced.IsComplete) return new TusProgress(advanced, null);
        return new TusProgress(advanced, await CompleteAsync(advanced));
    }

    /// <summary>
    /// The last byte is in. The bytes are assembled while the row still stands (so no sweep takes them for an orphan's);
    /// then the row goes, before the file is made: a completion that fails or is cut short by a crash is never tried
    /// again, so it can never store a second file (the client starts a new upload); bytes it leaves are swept.
    /// </summary>
    private async Task<FileRecord> CompleteAsync(TusUpload upload)
    {
        var ct = CancellationToken.None; // the client may hang up now; the file is made all the same
        var metadata = TusMetadata.Parse(upload.Metadata, fileOptions.Value);
        string? temp = null;
        try
        {
            temp = await bytes.AssembleAsync(upload, ct);
            await repository.DeleteAsync(upload.Id, ct);
            var staged = await StageAsync(temp, metadata, upload.Length, ct);
            return metadata.Replaces is { } id
                ? await files.ReplaceAsync(id, staged, ct)
                : (await files.CreateAsync([staged], ct))[0];
        }
        catch (Exception e)
        {
            if (temp is not null) store.TryDelete(temp);
            // Bytes that could not be assembled will not be later: the upload ends here too.
            else if (!await TryForgetAsync(upload.Id)) logger.LogWarning(e, "Upload {Id} could not be assembled; the sweep will remove it", upload.Id);
            throw;
        }
        finally
        {
            await bytes.DeleteAsync(upload.Id);
        }
    }

    private async Task<bool> TryForgetAsync(string id)
    {
        try
        {
            await repository.DeleteAsync(id, CancellationToken.None);
            return true;
        }
        catch (Exception e) when (Data.DatabaseFaults.IsConnectionLost(e) || e is System.Data.Common.DbException)
        {
            return false;
        }
    }

    /// <summary>
    /// The assembled bytes as a staged upload, as <see cref="UploadReader"/> makes one from a multipart part: typed by
    /// the sniffer (the client's <c>type</c> is a hint), checked against <c>Uploads:AllowedTypes</c>, hashed.
    /// </summary>
    private async Task<StagedUpload> StageAsync(string path, TusMetadata metadata, long size, CancellationToken ct)
    {
        var head = new byte[ContentSniffer.HeadLength];
        string checksum;
        int headLength;
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan))
        {
            headLength = await file.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
            file.Position = 0;
            checksum = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
        }
        var type = ContentSniffer.Sniff(head.AsSpan(0, headLength), metadata.FileName, metadata.Type);
        if (!uploads.Value.IsAllowed(type)) throw ApiErrors.TypeNotAllowed(type);
        return new StagedUpload(path, metadata.FileName, type, size, checksum, metadata.Fields);
    }

    /// <summary><c>DELETE</c> (termination): the upload and its bytes go; its id answers 404 from then on.</summary>
    public async Task TerminateAsync(string id, Caller caller, CancellationToken ct)
    {
        await using var held = await locks.AcquireAsync(id, ct);
        await GetAsync(id, caller, ct);
        await repository.DeleteAsync(id, ct);
        await bytes.DeleteAsync(id);
    }

    /// <summary>
    /// Expired uploads and their bytes (each under its lock, so a chunk being written finishes first and may renew
    /// it), then bytes whose upload is gone (a crash between the row and the bytes), older than <paramref name="grace"/>.
    /// </summary>
    public async Task<int> SweepAsync(TimeSpan grace, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var swept = 0;
        foreach (var id in await repository.ExpiredAsync(Stamp(now), ct))
        {
            await using var held = await locks.AcquireAsync(id, ct);
            if (await repository.GetAsync(id, ct) is not { } upload || upload.Expires > now) continue;
            if (await repository.DeleteAsync(id, ct)) swept++;
            await bytes.DeleteAsync(id);
        }
        await bytes.SweepOrphansAsync(await repository.AllIdsAsync(ct), now - grace, ct);
        if (swept > 0) logger.LogInformation("Swept {Count} expired tus uploads", swept);
        return swept;
    }

    /// <summary>A clock stopped at one instant, to format it the way every stored timestamp is.</summary>
    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
