using AssetServer.Assets.Store;
using AssetServer.Auth;
using AssetServer.Data;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Folders;
using Microsoft.Extensions.Options;

namespace AssetServer.Archives;

/// <summary>
/// Zip downloads of originals, whatever route asks: a list of files, or a folder with every folder below it. Access is
/// decided here (files as <c>/assets</c> decides, a folder needs a token that may read folders), the rows are read and
/// named before the answer starts, and the answer charges the client's read budget for every original it holds,
/// as the same bytes fetched one by one would be charged.
/// </summary>
public sealed class ArchiveService(
    FileRepository files, FolderService folders, AssetStore store, Budgets.ClientBudgets budgets, IOptions<AuthOptions> auth,
    IOptions<FilesOptions> filesOptions, ILogger<ArchiveService> logger)
{
    /// <summary>A replace races a read this many times in a row only under a storm of replaces of one file.</summary>
    private const int MaxReloads = 3;

    /// <summary>
    /// The files with these ids, at the top of the zip, named as given (duplicates once). A value that is not a uuid
    /// is a 400; an id with no file, or a caller who may not read assets, is a 403 (existence does not leak).
    /// </summary>
    public async Task<ArchivePlan> PlanFilesAsync(IReadOnlyList<string> ids, Caller? caller, CancellationToken ct)
    {
        if (caller is null && !auth.Value.PublicAssets) throw ApiErrors.ForbiddenCollection();
        if (ids.Count == 0) throw ApiErrors.InvalidPayload("\"ids\" must name at least one file");
        var max = filesOptions.Value.MaxLimit;
        if (ids.Count > max) throw ApiErrors.InvalidPayload($"\"ids\" may name at most {max} files (Files:MaxLimit), got {ids.Count}");
        var keys = ids.Select(ParseId).Distinct().ToList();

        var names = new ArchiveNames();
        var entries = new List<ArchiveEntry>(keys.Count);
        foreach (var key in keys)
        {
            var file = await files.GetAsync(key, ct) ?? throw ApiErrors.Forbidden();
            entries.Add(new ArchiveEntry(names.Claim(DownloadName(file)), file));
        }
        return new ArchivePlan("files.zip", entries);
    }

    /// <summary>
    /// The folder's files at the top of the zip and each sub-folder as a path under it (empty ones too). In each
    /// folder, sub-folders claim their names first, then files by name; equal names are numbered.
    /// </summary>
    public async Task<ArchivePlan> PlanFolderAsync(string id, Caller? caller, CancellationToken ct)
    {
        if (caller is null) throw ApiErrors.ForbiddenCollection();
        var tree = await folders.SubtreeAsync(ParseId(id), ct);
        var byParent = tree.Skip(1).ToLookup(f => f.Parent ?? "", StringComparer.Ordinal);
        var filed = (await files.InFoldersAsync(tree.Select(f => f.Id).ToList(), ct)).ToLookup(f => f.Folder ?? "", StringComparer.Ordinal);

        var entries = new List<ArchiveEntry>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<(FolderRecord Folder, string Prefix)>();
        pending.Push((tree[0], ""));
        while (pending.TryPop(out var next))
        {
            var (folder, prefix) = next;
            if (!visited.Add(folder.Id)) continue;
            var names = new ArchiveNames();
            var below = new List<(FolderRecord, string)>();
            foreach (var child in byParent[folder.Id].OrderBy(f => f.Name, StringComparer.Ordinal).ThenBy(f => f.Id, StringComparer.Ordinal))
            {
                var path = prefix + names.Claim(child.Name) + "/";
                entries.Add(new ArchiveEntry(path, null));
                below.Add((child, path));
            }
            foreach (var file in filed[folder.Id].OrderBy(DownloadName, StringComparer.Ordinal).ThenBy(f => f.Id, StringComparer.Ordinal))
                entries.Add(new ArchiveEntry(prefix + names.Claim(DownloadName(file)), file));
            // Reversed onto the stack, so sub-folders are written in name order.
            for (var i = below.Count - 1; i >= 0; i--) pending.Push(below[i]);
        }
        return new ArchivePlan(ArchiveNames.Segment(tree[0].Name) + ".zip", entries);
    }

    /// <summary>The zip of <paramref name="plan"/> as the answer: charged, then streamed.</summary>
    public IResult Serve(ArchivePlan plan) => new Answer(this, plan);

    /// <summary>A value that is not a uuid is a 400 here (a bad request, not a file that may exist).</summary>
    private static string ParseId(string id) =>
        Guid.TryParseExact(id, "D", out var guid) ? guid.ToString("D") : throw ApiErrors.InvalidPayload($"\"{Shorten(id)}\" is not a valid uuid");

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";

    private static string DownloadName(FileRecord file) => string.IsNullOrEmpty(file.FilenameDownload) ? file.FilenameDisk : file.FilenameDownload;

    private async Task ExecuteAsync(HttpContext context, ArchivePlan plan)
    {
        // Before the status: past the budget, the client still gets a 429 it can read.
        budgets.ChargeOriginalBytes(plan.OriginalBytes);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/zip";
        response.Headers.ContentDisposition = Assets.DispositionHeader.Build(attachment: true, plan.FileName);
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        var ct = context.RequestAborted;
        try
        {
            await ZipArchiveWriter.WriteAsync(response.Body, plan, OpenAsync, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && response.HasStarted)
        {
            // The status is gone: a reset tells the client the download broke, where a clean end would pass for a
            // whole archive until it is opened.
            logger.LogError(e, "Zip download of {FileName} failed after it started; the connection was reset", plan.FileName);
            context.Abort();
        }
    }

    /// <summary>The original; when a replace got there first, the row is read again (a deleted file is left out).</summary>
    private async ValueTask<AssetHandle?> OpenAsync(FileRecord file, CancellationToken ct)
    {
        for (var attempt = 0; attempt <= MaxReloads; attempt++)
        {
            if (await store.Original(file).OpenAsync(ct) is { } handle) return handle;
            if (await files.GetAsync(file.Id, ct) is not { } current) return null;
            file = current;
        }
        return null;
    }

    private sealed class Answer(ArchiveService service, ArchivePlan plan) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => service.ExecuteAsync(httpContext, plan);
    }
}
