namespace AssetServer.BulkImport;

/// <summary>How a run ended: counts per outcome, and why it stopped early if it did.</summary>
public sealed record ImportSummary(int Uploaded, int Skipped, int Failed, int Unfinished, bool DryRun, int WouldUpload)
{
    /// <summary>Set when the run gave up on every remaining file (a refused token); the message says why.</summary>
    public ServerFailure? StoppedBy { get; init; }

    public bool Cancelled { get; init; }

    /// <summary>The closing line (API.md, Operations): <c>uploaded N, skipped N (already stored), failed N</c>.</summary>
    public string Line => DryRun
        ? $"dry run: would upload {WouldUpload}, skipped {Skipped} (already stored), failed {Failed}"
        : $"uploaded {Uploaded}, skipped {Skipped} (already stored), failed {Failed}";
}

/// <summary>The run stopped before it began uploading: the server is unreachable, or refused the token or a question.</summary>
public sealed class ImportStoppedException(ServerFailure failure) : Exception(failure.Message)
{
    public ServerFailure Failure { get; } = failure;
}

/// <summary>
/// One import: list the folder, hash each file, ask the server which checksums it holds, upload the rest once each.
/// Only the HTTP API is used; nothing on the server's disk is touched.
/// </summary>
public sealed class ImportRun(ImportArguments arguments, ImportClient client, IImportOutput output)
{
    /// <summary>One try and three retries: enough to ride out a restart or a busy minute, short of hiding an outage.</summary>
    public const int MaxAttempts = 4;

    /// <summary>The longest a server's <c>Retry-After</c> is obeyed; beyond it the file counts as failed.</summary>
    public static readonly TimeSpan MaxRetryWait = TimeSpan.FromSeconds(60);

    private int uploaded, skipped, failed, wouldUpload;

    public async Task<ImportSummary> RunAsync(CancellationToken ct)
    {
        var probe = await client.ProbeAsync(ct);
        if (probe is not null) throw new ImportStoppedException(probe);

        var contents = FolderScan.List(arguments.Folder);
        foreach (var (path, reason) in contents.Unreadable) Fail(path, $"cannot read: {reason}");
        var files = contents.Files;
        output.Note($"found {IImportOutput.Files(files.Count)} ({IImportOutput.Size(files.Sum(f => f.Length))}) in {Path.GetFullPath(arguments.Folder)}");

        ServerFailure? stoppedBy = null;
        try
        {
            var checksums = await HashAsync(files, ct);
            // Same bytes, one upload: the first path (in sorted order) goes, its copies follow its fate.
            var groups = files.Zip(checksums).Where(p => p.Second is not null)
                .GroupBy(p => p.Second!, p => p.First).ToList();
            var stored = await StoredAsync(groups.Select(g => g.Key).ToList(), ct);
            foreach (var group in groups.Where(g => stored.Contains(g.Key)))
            {
                foreach (var file in group) Skip(file.RelativePath, " (already stored)");
            }
            var pending = groups.Where(g => !stored.Contains(g.Key)).ToList();
            if (arguments.DryRun) List(pending);
            else stoppedBy = await UploadAsync(pending, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return Summary(files.Count + contents.Unreadable.Count) with { Cancelled = true };
        }
        return Summary(files.Count + contents.Unreadable.Count) with { StoppedBy = stoppedBy };
    }

    private ImportSummary Summary(int total)
    {
        var done = uploaded + skipped + failed + (arguments.DryRun ? wouldUpload : 0);
        return new ImportSummary(uploaded, skipped, failed, total - done, arguments.DryRun, wouldUpload);
    }

    /// <summary>Each file's SHA-256, read as a stream; null for a file that could not be read (reported as failed).</summary>
    private async Task<string?[]> HashAsync(List<LocalFile> files, CancellationToken ct)
    {
        var checksums = new string?[files.Count];
        var phase = new PhaseProgress("Hashing", files.Count, files.Sum(f => f.Length));
        // Reading and hashing use a core each: more readers than cores only make the disk seek.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Min(arguments.Parallel, Environment.ProcessorCount), CancellationToken = ct };
        await output.WithProgressAsync(phase, () => Parallel.ForEachAsync(Enumerable.Range(0, files.Count), parallel, async (i, token) =>
        {
            try
            {
                checksums[i] = await FolderScan.Sha256Async(files[i], phase.AddBytes, token);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Fail(files[i].RelativePath, $"cannot read the file: {e.Message}");
            }
            phase.FileDone();
        }));
        return checksums;
    }

    /// <summary>The checksums among <paramref name="checksums"/> the server holds, asked in batches.</summary>
    private async Task<HashSet<string>> StoredAsync(List<string> checksums, CancellationToken ct)
    {
        var stored = new HashSet<string>(StringComparer.Ordinal);
        foreach (var batch in checksums.Chunk(ImportClient.ChecksumBatch))
        {
            var (found, failure) = await WithRetriesAsync(() => client.StoredChecksumsAsync(batch, ct), ct);
            if (failure is not null) throw new ImportStoppedException(failure);
            stored.UnionWith(found);
        }
        return stored;
    }

    private void List(List<IGrouping<string, LocalFile>> pending)
    {
        foreach (var group in pending)
        {
            var first = group.First();
            output.File(FileOutcome.WouldUpload, first.RelativePath, $" ({IImportOutput.Size(first.Length)})");
            wouldUpload++;
            foreach (var copy in group.Skip(1)) Skip(copy.RelativePath, $" (same content as {first.RelativePath})");
        }
    }

    /// <summary>Uploads each group's first file, <c>--parallel</c> at a time; a refused token stops the rest.</summary>
    private async Task<ServerFailure?> UploadAsync(List<IGrouping<string, LocalFile>> pending, CancellationToken ct)
    {
        var phase = new PhaseProgress("Uploading", pending.Count, pending.Sum(g => g.First().Length));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        ServerFailure? refused = null;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = arguments.Parallel, CancellationToken = stop.Token };
        try
        {
            await output.WithProgressAsync(phase, () => Parallel.ForEachAsync(pending, parallel, async (group, token) =>
            {
                var first = group.First();
                var (id, failure) = await UploadWithRetriesAsync(first, group.Key, phase, token);
                if (failure is { IsTokenRefused: true })
                {
                    Interlocked.CompareExchange(ref refused, failure, null);
                    await stop.CancelAsync();
                    return;
                }
                if (failure is null)
                {
                    Interlocked.Increment(ref uploaded);
                    output.File(FileOutcome.Uploaded, first.RelativePath, $" ({IImportOutput.Size(first.Length)}{(id is null ? "" : ", id " + id)})");
                    foreach (var copy in group.Skip(1)) Skip(copy.RelativePath, $" (same content as {first.RelativePath})");
                }
                else
                {
                    Fail(first.RelativePath, failure.Message);
                    foreach (var copy in group.Skip(1)) Fail(copy.RelativePath, $"same content as {first.RelativePath}, which failed");
                }
                phase.FileDone();
            }));
        }
        catch (OperationCanceledException) when (refused is not null && !ct.IsCancellationRequested)
        {
            // Stopped on purpose: the token was refused, and every file left would be refused the same way.
        }
        return refused;
    }

    /// <summary>
    /// One upload, tried again after a transient failure. When a try got no answer, the file may have been stored all
    /// the same; the server is asked first, so a retry never stores it twice.
    /// </summary>
    private async Task<(string? Id, ServerFailure? Failure)> UploadWithRetriesAsync(LocalFile file, string checksum, PhaseProgress phase, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            long sent = 0;
            var (id, failure) = await client.UploadAsync(file, n =>
            {
                sent += n;
                phase.AddBytes(n);
            }, ct);
            if (failure is null) return (id, null);
            phase.AddBytes(-sent);
            if (!failure.IsTransient || attempt == MaxAttempts) return (null, failure);
            var wait = Backoff(attempt, failure.RetryAfter);
            if (wait is null) return (null, failure);
            await Task.Delay(wait.Value, ct);
            if (failure.Kind == FailureKind.Network)
            {
                var (stored, _) = await client.StoredChecksumsAsync([checksum], ct);
                if (stored.Contains(checksum)) return (null, null);
            }
        }
    }

    private async Task<(T Value, ServerFailure? Failure)> WithRetriesAsync<T>(Func<Task<(T, ServerFailure?)>> request, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (value, failure) = await request();
            if (failure is null || !failure.IsTransient || attempt == MaxAttempts) return (value, failure);
            var wait = Backoff(attempt, failure.RetryAfter);
            if (wait is null) return (value, failure);
            await Task.Delay(wait.Value, ct);
        }
    }

    /// <summary>
    /// The wait before try <paramref name="attempt"/> + 1: the server's <c>Retry-After</c> when it sent one (null when
    /// that is longer than <see cref="MaxRetryWait"/>: give up now), else 0.5 s doubling, with a little jitter so
    /// parallel uploads do not come back in step.
    /// </summary>
    public static TimeSpan? Backoff(int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } asked) return asked <= MaxRetryWait ? asked : null;
        var jitter = TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100));
        return TimeSpan.FromMilliseconds(500 * Math.Pow(2, attempt - 1)) + jitter;
    }

    private void Skip(string path, string detail)
    {
        Interlocked.Increment(ref skipped);
        output.File(FileOutcome.Skipped, path, detail);
    }

    private void Fail(string path, string message)
    {
        Interlocked.Increment(ref failed);
        output.File(FileOutcome.Failed, path, ": " + message);
    }
}
