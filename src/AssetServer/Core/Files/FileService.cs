using System.Globalization;
using System.Text.Json.Nodes;
using AssetServer.Data;
using AssetServer.Errors;
using AssetServer.Files.Query;
using AssetServer.Metadata;
using AssetServer.Storage;

namespace AssetServer.Files;

/// <summary>
/// The unit of work behind <c>/files</c>: keeps rows and bytes consistent. New bytes are put into the store
/// before the row commits (which claims them) and removed if it does not; removed bytes go only after their row is
/// gone. A crash in between leaves at most an orphan original, which the start-up sweep deletes.
/// </summary>
public sealed class FileService(
    FileRepository repository,
    FileStore store,
    IOriginalStore originals,
    MetadataScraper scraper,
    IDerivativeInvalidator derivatives,
    Revisions.ChangeLog changes,
    Assets.EagerPresets eager,
    Metrics.AssetMetrics metrics,
    Budgets.ClientBudgets budgets,
    Folders.FolderService folders,
    Microsoft.Extensions.Options.IOptions<FilesOptions> options,
    TimeProvider time,
    ILogger<FileService> logger)
{
    /// <summary>A stored timestamp (Directus's format, milliseconds, UTC) from the app's clock, which tests can drive.</summary>
    public static string Timestamp(TimeProvider time) =>
        time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private string Now() => Timestamp(time);

    /// <summary>
    /// Stores staged uploads as new files, all or none; returns them in upload order. <paramref name="link"/> ties each
    /// to an entry (Strapi's <c>ref</c>/<c>refId</c>/<c>field</c>). With <paramref name="rejectUnreadableImages"/>, an
    /// image whose header cannot be read is refused instead of stored as an opaque file (Strapi's rule).
    /// </summary>
    public async Task<List<FileRecord>> CreateAsync(
        IReadOnlyList<StagedUpload> uploads, CancellationToken ct, FileLink? link = null, bool rejectUnreadableImages = false)
    {
        var committed = new List<string>();
        var keepBytes = false;
        Task? putting = null;
        try
        {
            var records = uploads.Select(NewRecord).ToList();
            if (rejectUnreadableImages) foreach (var record in records) RejectUnreadableImage(record);
            // The bytes are stored before the row commits. A rename on the local disk (issue 17) is done beside the row's
            // statements, so the fsync it waits for overlaps them; a put to an object store takes a while, so it is
            // done before the write transaction opens.
            if (originals.PutIsRename) putting = Task.Run(() => PutAllAsync(uploads, records, committed, ct), CancellationToken.None);
            else await PutAllAsync(uploads, records, committed, ct);
            try
            {
                await repository.InTransactionAsync(async (connection, tx) =>
                {
                    for (var i = 0; i < uploads.Count; i++)
                    {
                        await RequireFolderAsync(connection, tx, null, records[i], ct);
                        await repository.InsertAsync(connection, tx, records[i], ct);
                        await changes.CreatedAsync(connection, tx, records[i], ct);
                        if (link is not null) await repository.AddLinkAsync(connection, tx, records[i].Id, link, ct);
                        await originals.ClaimAsync(connection, tx, records[i].FilenameDisk, ct);
                    }
                    if (putting is not null) await putting;
                    return true;
                }, ct);
            }
            catch (CommitOutcomeUnknownException)
            {
                // All rows commit or none: the first one tells.
                keepBytes = true;
                if (await RowIfCommittedAsync(records[0].Id, records[0].FilenameDisk) is null)
                {
                    keepBytes = false;
                    throw;
                }
            }
            foreach (var record in records)
            {
                metrics.Uploaded(record.Filesize);
                eager.Stored(record);
            }
            return records;
        }
        catch
        {
            // A put still running would store bytes after their clean-up.
            if (putting is not null) await putting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!keepBytes) foreach (var name in committed) await originals.DeleteAsync(name);
            foreach (var upload in uploads) store.TryDelete(upload.TempPath);
            throw;
        }
    }

    /// <summary>
    /// Stores each staged upload as its record's original, once its fsync is done (<see cref="StagedUpload.Durable"/>);
    /// each name goes to <paramref name="committed"/> before its put, for the clean-up of a write that fails.
    /// </summary>
    private async Task PutAllAsync(IReadOnlyList<StagedUpload> uploads, List<FileRecord> records, List<string> committed, CancellationToken ct)
    {
        for (var i = 0; i < uploads.Count; i++)
        {
            await uploads[i].Durable;
            committed.Add(records[i].FilenameDisk);
            await originals.PutAsync(uploads[i].TempPath, records[i].FilenameDisk, uploads[i].Size, ct);
        }
    }

    /// <summary>
    /// Issue 18: a write whose <c>COMMIT</c> lost its connection may have committed. The row, read again on a fresh
    /// connection, decides: it holds <paramref name="filenameDisk"/>, the write's new bytes under a name never used
    /// before, exactly when the write committed. Throws when the database cannot tell yet; the caller then keeps the
    /// bytes (an unreferenced original is swept later, a row without its bytes would be lost data).
    /// </summary>
    private async Task<FileRecord?> RowIfCommittedAsync(string id, string filenameDisk)
    {
        var row = await repository.GetAsync(id, CancellationToken.None);
        var committed = row?.FilenameDisk == filenameDisk;
        logger.LogWarning("The connection dropped during the commit of a write to file {Id}; the write {Outcome}",
            id, committed ? "did commit" : "did not commit");
        return committed ? row : null;
    }

    /// <summary>A raster type the pipeline renders, whose size could not be read: a damaged or disguised image.</summary>
    private static void RejectUnreadableImage(FileRecord record)
    {
        if (record.Width is null && record.Type is { } type && Transforms.RenderPipeline.CanTransform(type))
            throw ApiErrors.InvalidImage();
    }

    /// <summary>
    /// <c>POST /files</c> with JSON (Directus compatibility): a record for a file with no bytes yet. It gets an
    /// empty original so that every row has its file; a multipart PATCH fills it.
    /// </summary>
    public async Task<FileRecord> CreateEmptyAsync(FileInput input, CancellationToken ct)
    {
        var type = input.GetString("type") ?? throw ApiErrors.InvalidPayload("\"type\" is required");
        if (!System.Text.RegularExpressions.Regex.IsMatch(type, @"^[\w.+-]+/[\w.+-]+$"))
            throw ApiErrors.InvalidPayload("\"type\" must be a MIME type such as image/jpeg");
        var temp = store.NewTempPath();
        await File.WriteAllBytesAsync(temp, [], ct);
        var name = input.GetString("filename_download") ?? $"file.{ContentSniffer.ExtensionFor(type)}";
        var staged = new StagedUpload(temp, name, type.ToLowerInvariant(), 0,
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(ReadOnlySpan<byte>.Empty)), input);
        return (await CreateAsync([staged], ct))[0];
    }

    /// <summary>Builds the row for an upload: request fields win over what the bytes say (API.md).</summary>
    private FileRecord NewRecord(StagedUpload upload)
    {
        if (upload.Fields.Storage is { } asked && asked != originals.Provider)
            throw ApiErrors.InvalidPayload($"\"storage\" must be \"{originals.Provider}\"");
        var id = Guid.NewGuid().ToString("D");
        var now = Now();
        var record = new FileRecord
        {
            Id = id,
            FilenameDisk = $"{id}.{ContentSniffer.ExtensionFor(upload.Type)}",
            Storage = originals.Provider,
            FilenameDownload = upload.FileName,
            CreatedOn = now,
            ModifiedOn = now,
            UploadedOn = now,
        };
        var scraped = Scrape(upload);
        ApplyContent(record, upload, scraped);
        record.Title = TitleFormatter.FromFileName(upload.FileName);
        if (scraped.Title is { Length: > 0 } headline) record.Title = headline;
        record.Description = scraped.Description;
        record.Location = scraped.Location;
        record.Tags = scraped.Tags is { Count: > 0 } tags ? new JsonArray(tags.Select(t => (JsonNode?)t).ToArray()).ToJsonString() : null;
        upload.Fields.ApplyTo(record);
        record.DocumentId = PublicNames.NewDocumentId();
        record.UploadHash = PublicNames.NewHash(record.FilenameDownload);
        record.UploadExt = PublicNames.Extension(upload.FileName, upload.Type);
        record.UploadFilename = record.FilenameDownload;
        return record;
    }

    /// <summary>Everything that follows from the bytes themselves.</summary>
    private static void ApplyContent(FileRecord record, StagedUpload upload, ScrapedMetadata scraped)
    {
        record.Type = upload.Type;
        record.Filesize = upload.Size;
        record.Checksum = upload.Checksum;
        record.Width = scraped.Width;
        record.Height = scraped.Height;
        record.Duration = scraped.Duration;
        record.Metadata = scraped.Metadata?.ToJsonString();
    }

    private ScrapedMetadata Scrape(StagedUpload upload)
    {
        if (upload.Size == 0) return ScrapedMetadata.None;
        try
        {
            // Issue 12's placeholder is not made here (issue 17): even the one from a camera's embedded thumbnail costs
            // a header read and a small decode, so every placeholder is made by the background queue after the answer,
            // at the next lull in requests (EagerPresets.Stored sees the key missing).
            var scraped = scraper.Scrape(upload.TempPath, upload.Type);
            return scraped;
        }
        catch (Exception e)
        {
            // A file whose metadata cannot be read is still a file.
            logger.LogWarning(e, "Could not read metadata of {Name}", upload.FileName);
            return ScrapedMetadata.None;
        }
    }

    public async Task<FileRecord> GetAsync(string id, CancellationToken ct) =>
        await repository.GetAsync(ParseId(id), ct) ?? throw ApiErrors.Forbidden();

    /// <summary>Applies a JSON patch to one file.</summary>
    public async Task<FileRecord> UpdateAsync(string id, FileInput input, CancellationToken ct)
    {
        var key = ParseId(id);
        return await repository.InTransactionAsync(async (connection, tx) =>
        {
            var record = await repository.GetInTransactionAsync(connection, tx, key, ct) ?? throw ApiErrors.Forbidden();
            var before = record.Clone();
            input.ApplyTo(record);
            record.ModifiedOn = Now();
            await RequireFolderAsync(connection, tx, before, record, ct);
            await repository.UpdateAsync(connection, tx, record, ct);
            await changes.UpdatedAsync(connection, tx, before, record, ct);
            return record;
        }, ct);
    }

    /// <summary>Applies the same patch to many files; all or none.</summary>
    public Task<List<FileRecord>> UpdateManyAsync(IReadOnlyCollection<string> ids, FileInput input, CancellationToken ct) =>
        UpdateEachAsync(ids.Select(ParseId).Distinct().Select(id => (id, input)).ToList(), ct);

    /// <summary>
    /// Per-item patches (<c>[{"id":…,…}]</c>); all or none. The rows are read inside the write transaction,
    /// so a concurrent write is never overwritten with what was read before it.
    /// </summary>
    public async Task<List<FileRecord>> UpdateEachAsync(IReadOnlyList<(string Id, FileInput Input)> items, CancellationToken ct)
    {
        var keys = items.Select(i => ParseId(i.Id)).ToList();
        return await repository.InTransactionAsync(async (connection, tx) =>
        {
            var records = (await repository.GetManyAsync(connection, tx, keys, ct)).ToDictionary(r => r.Id);
            if (records.Count != keys.Distinct().Count()) throw ApiErrors.Forbidden();
            var now = Now();
            for (var i = 0; i < items.Count; i++)
            {
                var record = records[keys[i]];
                var before = record.Clone();
                items[i].Input.ApplyTo(record);
                record.ModifiedOn = now;
                await RequireFolderAsync(connection, tx, before, record, ct);
                await repository.UpdateAsync(connection, tx, record, ct);
                await changes.UpdatedAsync(connection, tx, before, record, ct);
            }
            return records.Values.OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
        }, ct);
    }

    /// <summary>
    /// Replaces a file's bytes (multipart PATCH): new type, size, checksum and metadata; fields sent with it
    /// apply; the title stays unless sent (Directus). Old derivatives are invalidated.
    /// </summary>
    public async Task<FileRecord> ReplaceAsync(string id, StagedUpload upload, CancellationToken ct, bool rejectUnreadableImages = false)
    {
        var key = ParseId(id);
        string? oldName = null;
        string? newName = null;
        var keepBytes = false;
        var pruned = new List<string>();
        FileRecord record;
        ScrapedMetadata scraped;
        try
        {
            scraped = Scrape(upload);
            if (rejectUnreadableImages && scraped.Width is null && Transforms.RenderPipeline.CanTransform(upload.Type)) throw ApiErrors.InvalidImage();
        }
        catch
        {
            store.TryDelete(upload.TempPath);
            throw;
        }
        // The new bytes get a fresh disk name, so the old original stays intact until the row points elsewhere.
        try
        {
            var name = NextDiskName(key, upload.Type);
            newName = name;
            await upload.Durable;
            await originals.PutAsync(upload.TempPath, name, upload.Size, ct);
            try
            {
                record = await repository.InTransactionAsync(async (connection, tx) =>
                {
                    var current = await repository.GetInTransactionAsync(connection, tx, key, ct) ?? throw ApiErrors.Forbidden();
                    var before = current.Clone();
                    oldName = current.FilenameDisk;
                    var now = Now();
                    current.FilenameDisk = name;
                    current.FilenameDownload = upload.FileName;
                    // The public name (hash and extension) stays: Strapi keeps a replaced file's url, whatever the new type.
                    ApplyContent(current, upload, scraped);
                    current.Description ??= scraped.Description;
                    current.Location ??= scraped.Location;
                    if (current.Tags is null && scraped.Tags is { Count: > 0 } tags)
                        current.Tags = new JsonArray(tags.Select(t => (JsonNode?)t).ToArray()).ToJsonString();
                    upload.Fields.ApplyTo(current);
                    // New bytes, new names for what belongs to them (Strapi rebuilds a replaced file's formats).
                    current.UploadFilename = current.FilenameDownload;
                    current.ModifiedOn = now;
                    current.UploadedOn = now;
                    await RequireFolderAsync(connection, tx, before, current, ct);
                    await repository.UpdateAsync(connection, tx, current, ct);
                    await changes.UpdatedAsync(connection, tx, before, current, ct);
                    pruned.AddRange(await KeepVersionAsync(connection, tx, current.Id, oldName, ct));
                    await originals.ClaimAsync(connection, tx, name, ct);
                    return current;
                }, ct);
            }
            catch (CommitOutcomeUnknownException)
            {
                keepBytes = true;
                var committedRow = await RowIfCommittedAsync(key, name);
                if (committedRow is null)
                {
                    keepBytes = false;
                    throw;
                }
                record = committedRow;
            }
        }
        catch
        {
            if (newName is not null && !keepBytes) await originals.DeleteAsync(newName);
            store.TryDelete(upload.TempPath);
            throw;
        }
        foreach (var name in pruned) await originals.DeleteAsync(name);
        await derivatives.InvalidateAsync(record.Id);
        metrics.Uploaded(record.Filesize);
        eager.Stored(record);
        return record;
    }

    /// <summary>
    /// Gives the file a new v8 <c>private_hash</c>: the old one stops naming it as soon as this commits (rows are
    /// never served stale). Logged as an update.
    /// </summary>
    public async Task<FileRecord> RotatePrivateHashAsync(string id, CancellationToken ct)
    {
        var key = ParseId(id);
        return await repository.InTransactionAsync(async (connection, tx) =>
        {
            var record = await repository.GetInTransactionAsync(connection, tx, key, ct) ?? throw ApiErrors.Forbidden();
            var before = record.Clone();
            record.PrivateHash = PublicNames.NewPrivateHash();
            record.ModifiedOn = Now();
            await repository.UpdateAsync(connection, tx, record, ct);
            await changes.UpdatedAsync(connection, tx, before, record, ct);
            return record;
        }, ct);
    }

    /// <summary>
    /// Keeps <paramref name="name"/>, the original a write is moving away from, as a version of the file, and returns
    /// the disk names that fall out of <c>Files:KeepVersions</c> (that one itself when none are kept): the caller
    /// deletes them once the transaction has committed.
    /// </summary>
    private async Task<List<string>> KeepVersionAsync(System.Data.IDbConnection connection, System.Data.IDbTransaction tx, string fileId, string name, CancellationToken ct)
    {
        var keep = options.Value.KeepVersions;
        if (keep == 0) return [name];
        await repository.AddVersionAsync(connection, tx, fileId, name, Now(), ct);
        var versions = await repository.VersionsAsync(connection, tx, fileId, ct);
        var dropped = versions.Skip(keep).ToList();
        foreach (var old in dropped) await repository.RemoveVersionAsync(connection, tx, fileId, old, ct);
        return dropped;
    }

    /// <summary>
    /// <c>POST /files/:id/revert/:revision</c>: the record's fields as that revision left them, and its bytes when
    /// they are the current original or a kept version (the current original is then kept in turn). Logged as an
    /// update, so a revert can itself be reverted. Derivatives are invalidated.
    /// </summary>
    public async Task<(FileRecord Record, bool BytesRestored)> RevertAsync(string id, long revisionId, CancellationToken ct)
    {
        var key = ParseId(id);
        // A revert may put other bytes back: it draws on the uploads budget like a replace.
        budgets.ChargeUpload();
        var pruned = new List<string>();
        var bytesRestored = false;
        var record = await repository.InTransactionAsync(async (connection, tx) =>
        {
            var current = await repository.GetInTransactionAsync(connection, tx, key, ct) ?? throw ApiErrors.Forbidden();
            var data = await changes.RevisionDataAsync(connection, tx, revisionId, key, ct)
                       ?? throw ApiErrors.InvalidPayload($"Revision {revisionId} is not a revision of file {key}");
            var before = current.Clone();
            var target = Revisions.ChangeLog.Restore(data, current);
            if (target.FilenameDisk != current.FilenameDisk)
            {
                if (await repository.RemoveVersionAsync(connection, tx, key, target.FilenameDisk, ct) == 1)
                {
                    pruned.AddRange(await KeepVersionAsync(connection, tx, key, current.FilenameDisk, ct));
                    bytesRestored = true;
                }
                else
                {
                    // Those bytes were pruned: the fields come back, the content stays what it is.
                    Revisions.ChangeLog.KeepContent(target, current);
                }
            }
            target.ModifiedOn = Now();
            // The folder the revision names may be gone since: the file then comes back outside any folder.
            if (target.Folder is { } folder && folder != current.Folder && !await folders.ExistsAsync(connection, tx, folder, ct))
                target.Folder = null;
            await repository.UpdateAsync(connection, tx, target, ct);
            await changes.UpdatedAsync(connection, tx, before, target, ct);
            return target;
        }, ct);
        foreach (var name in pruned) await originals.DeleteAsync(name);
        await derivatives.InvalidateAsync(record.Id);
        if (bytesRestored) eager.Stored(record);
        return (record, bytesRestored);
    }

    /// <summary>
    /// A write that files <paramref name="after"/> in a folder (new, or another than before) needs that folder to exist:
    /// 400 INVALID_FOREIGN_KEY otherwise, as Directus answers. Checked inside the write, so every API is covered.
    /// </summary>
    private async Task RequireFolderAsync(System.Data.IDbConnection connection, System.Data.IDbTransaction tx, FileRecord? before, FileRecord after, CancellationToken ct)
    {
        if (after.Folder is { } folder && folder != before?.Folder)
            await folders.RequireAsync(connection, tx, folder, "folder", Revisions.ChangeLog.FilesCollection, ct);
    }

    /// <summary><c>&lt;id&gt;.r&lt;random&gt;.&lt;ext&gt;</c>: the name of a replaced file's new bytes.</summary>
    private static string NextDiskName(string id, string type) =>
        // Never a name this file had before: the asset store trusts that a path holds one content for good, so a
        // render that started from an older version can never read a newer one under the old name.
        $"{id}.r{Guid.NewGuid():N}.{ContentSniffer.ExtensionFor(type)}";

    /// <summary>Deletes rows, then their originals and derivatives. Ids that do not exist are skipped (204 as Directus).</summary>
    public async Task DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        var keys = ids.Select(ParseId).Distinct().ToList();
        // Read in the transaction: a replace committed just before must not leave its new original behind.
        var versions = new List<string>();
        var records = await repository.InTransactionAsync(async (connection, tx) =>
        {
            var rows = await repository.GetManyAsync(connection, tx, keys, ct);
            foreach (var record in rows)
            {
                foreach (var version in await repository.VersionsAsync(connection, tx, record.Id, ct))
                {
                    await repository.RemoveVersionAsync(connection, tx, record.Id, version, ct);
                    versions.Add(version);
                }
                await repository.DeleteAsync(connection, tx, record.Id, ct);
                await changes.DeletedAsync(connection, tx, record.Id, ct);
            }
            return rows;
        }, ct);
        foreach (var name in versions) await originals.DeleteAsync(name);
        foreach (var record in records)
        {
            await originals.DeleteAsync(record.FilenameDisk);
            await derivatives.InvalidateAsync(record.Id);
        }
    }

    /// <summary>The rows of a list query, charged to <paramref name="budget"/> (without one, a list's own <c>Files:MaxResponseBytes</c>).</summary>
    public IAsyncEnumerable<FileRecord> ListAsync(FileQuery query, CancellationToken ct, ReadBudget? budget = null) => repository.ListAsync(query, ct, budget);

    public Task<FileListCounts> CountAsync(FileQuery query, CancellationToken ct) => repository.CountAsync(query, ct);

    /// <summary>An aggregate query (<see cref="FileQuery.Aggregates"/>): one row per group.</summary>
    public Task<List<FileAggregateRow>> AggregateAsync(FileQuery query, CancellationToken ct) => repository.AggregateAsync(query, ct);

    public Task<List<string>> ListIdsAsync(FileQuery query, CancellationToken ct) => repository.ListIdsAsync(query, ct);

    /// <summary>A well-formed id in canonical form; anything else is FORBIDDEN, as Directus answers (no existence leak).</summary>
    public static string ParseId(string id) =>
        Guid.TryParseExact(id, "D", out var guid) ? guid.ToString("D") : throw ApiErrors.Forbidden();
}
