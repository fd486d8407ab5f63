using System.Threading.Channels;
using AssetServer.Assets.Store;
using AssetServer.Data;
using AssetServer.Files;
using AssetServer.Transforms;

namespace AssetServer.Assets;

/// <summary>
/// Renders the presets marked <c>"eager": true</c>, and every <see cref="IEagerDerivatives"/>' transforms, in the
/// background right after a file is stored or replaced, so the first <c>&lt;img&gt;</c> request for them is a cache
/// hit and answers that describe them need not render. One derivative at a time, through the same store and render
/// queue as requests (a render a request is already waiting for is shared, not repeated). A preset with
/// <c>format: auto</c> is rendered for the formats browsers ask for (AVIF, WebP, and the fallback). Before them, the
/// placeholder an upload left out because it needs a decode (<see cref="BackgroundPlaceholders"/>, issue 17). Each file
/// waits for a lull in requests first (<see cref="RequestActivity"/>), at most a couple of seconds.
/// </summary>
public sealed class EagerPresets : BackgroundService
{
    private readonly PresetStore presets;
    private readonly TransformParser parser;
    private readonly FileRepository files;
    private readonly AssetStore store;
    private readonly IEagerDerivatives[] others;
    private readonly ILogger<EagerPresets> logger;
    private readonly BackgroundPlaceholders placeholders;
    private readonly Channel<Work> waiting;
    private readonly RequestActivity activity;

    /// <summary>
    /// A stored file: its id, the <c>filename_disk</c> whose placeholder is missing (null: none to make), and when it
    /// was queued (<see cref="RequestActivity.Timestamp"/>).
    /// </summary>
    private readonly record struct Work(string FileId, string? PlaceholderOf, long QueuedAt);

    public EagerPresets(
        PresetStore presets, TransformParser parser, FileRepository files, AssetStore store, IEnumerable<IEagerDerivatives> others,
        BackgroundPlaceholders placeholders, Metrics.AssetMetrics metrics, RequestActivity activity, ILogger<EagerPresets> logger)
    {
        this.activity = activity;
        this.placeholders = placeholders;
        this.presets = presets;
        this.parser = parser;
        this.files = files;
        this.store = store;
        this.others = others.ToArray();
        this.logger = logger;
        // A file dropped when the queue is full is no longer pending: its derivatives render on first request (and it
        // has no placeholder until its bytes are stored again).
        waiting = Channel.CreateBounded<Work>(
            new BoundedChannelOptions(MaxWaiting) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Decrement(ref pending));
        metrics.WatchBackground(() => Pending);
    }

    /// <summary>Files waiting; past this the oldest are dropped (their derivatives render on first request instead).</summary>
    private const int MaxWaiting = 10_000;

    /// <summary>The Accept headers a <c>format: auto</c> preset is rendered for: a current browser, an older one, none.</summary>
    private static readonly string?[] Accepts = ["image/avif,image/webp,*/*", "image/webp,*/*", null];

    private int pending;

    /// <summary>Files queued or being rendered (tests wait for 0).</summary>
    public int Pending => Volatile.Read(ref pending);

    /// <summary>Queues a file whose bytes were stored or replaced; a no-op when it has nothing to render.</summary>
    public void Stored(FileRecord record)
    {
        var placeholderOf = placeholders.Missing(record) ? record.FilenameDisk : null;
        if (placeholderOf is null && Requests(record).Count == 0) return;
        Interlocked.Increment(ref pending);
        if (!waiting.Writer.TryWrite(new Work(record.Id, placeholderOf, activity.Timestamp()))) Interlocked.Decrement(ref pending);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (fileId, placeholderOf, queuedAt) in waiting.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                // Requests first: a burst of uploads answers before their decodes take the CPU (bounded: RequestActivity).
                await activity.WaitForLullAsync(queuedAt, stoppingToken);
                if (placeholderOf is not null) await placeholders.AddAsync(fileId, placeholderOf, stoppingToken);
                await RenderAsync(fileId, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The row could not be read: the requests that need the derivatives will render them and answer for it.
                logger.LogInformation("Background work on {File} not done: {Reason}", fileId, e.Message);
            }
            finally
            {
                Interlocked.Decrement(ref pending);
            }
        }
    }

    private async Task RenderAsync(string fileId, CancellationToken ct)
    {
        // Read now, not when queued: the file may have been replaced or deleted since.
        if (await files.GetAsync(fileId, ct) is not { } record) return;
        foreach (var request in Requests(record))
        {
            try
            {
                using var handle = await store.Derivative(record, request).OpenAsync(ct);
            }
            catch (Errors.ApiException e)
            {
                // A damaged source, a render timed out or refused: the request that needs it will try again and answer for it.
                logger.LogInformation("Eager derivative {Transform} of {File} not rendered: {Reason}", request.CacheKey, fileId, e.Message);
            }
        }
    }

    /// <summary>
    /// What to render of <paramref name="record"/>: the eager presets, then each contributor's, each once. A transform
    /// the file's size puts past a limit is left out: its request would be refused too, and a store must not fail.
    /// </summary>
    private List<TransformRequest> Requests(FileRecord record)
    {
        var found = new List<TransformRequest>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        void Add(Func<TransformRequest?> parse)
        {
            try
            {
                if (parse() is { } request && done.Add(request.CacheKey)) found.Add(request);
            }
            catch (Errors.ApiException)
            {
            }
        }

        var source = AssetResolver.Source(record);
        foreach (var key in presets.EagerKeys)
        {
            var query = new QueryCollection(new Dictionary<string, Microsoft.Extensions.Primitives.StringValues> { [TransformParameters.Key] = key });
            foreach (var accept in Accepts) Add(() => parser.Parse(query, source, accept));
        }
        foreach (var contributor in others)
        {
            foreach (var request in contributor.Requests(record)) Add(() => request);
        }
        return found;
    }
}
