using AssetServer.Errors;

namespace AssetServer.Assets;

/// <summary>
/// Admits renders by cost. At most <see cref="Concurrency"/> renders run in the general lanes and at most
/// <see cref="QueueLength"/> wait behind them; past that a request is refused at once with 503 + <c>Retry-After</c>.
/// One more lane, the cheap lane, takes only renders that cost at most <see cref="CheapCost"/> pixels (a thumbnail),
/// so however many heavy renders hold the general lanes, a small thumbnail still renders in time. Renders that are
/// not cheap share a pixel budget (<see cref="Budget"/>): together they may not cost more, so memory stays bounded by
/// what the renders touch; one that alone costs more than the whole budget runs only when no other budgeted one does.
/// <para>
/// All of it is one state behind one lock: a grant takes its lane and its charge in one step, a cancelled or timed-out
/// waiter leaves the FIFO under the same lock, and a permit is a value the holder gives back. There is never an
/// "acquire two, give one back" step (the bug this replaced: <c>SemaphoreSlim.WaitAsync</c> hands the same cached
/// completed Task to different semaphores, so comparing Tasks to learn which one was won released the wrong one).
/// </para>
/// </summary>
public sealed class RenderScheduler
{
    private readonly Lock gate = new();
    private readonly LinkedList<Waiter> queue = new();
    private readonly int concurrency;
    private readonly int queueLength;
    private readonly int retryAfterSeconds;
    private readonly long cheapCost;
    private readonly long budget;
    private int freeLanes;
    private bool cheapLaneFree = true;
    private long spent;
    private int admitted;

    public RenderScheduler(int concurrency, int queueLength, int retryAfterSeconds, TimeSpan? maxWait = null, long cheapCost = 4_000_000,
        long budget = long.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        this.concurrency = concurrency;
        this.queueLength = queueLength;
        this.retryAfterSeconds = retryAfterSeconds;
        this.cheapCost = cheapCost;
        this.budget = budget;
        freeLanes = concurrency;
        MaxWait = maxWait ?? Timeout.InfiniteTimeSpan;
    }

    public int Concurrency => concurrency;
    public int QueueLength => queueLength;
    public long CheapCost => cheapCost;
    public long Budget => budget;
    public TimeSpan MaxWait { get; }

    /// <summary>Pixels of the budget taken by the renders running now.</summary>
    public long Spent
    {
        get { lock (gate) return spent; }
    }

    /// <summary>Renders running or waiting right now.</summary>
    public int Admitted
    {
        get { lock (gate) return admitted; }
    }

    /// <summary>Renders admitted but still waiting for a lane or for budget (the metrics' queue length).</summary>
    public int Waiting
    {
        get { lock (gate) return queue.Count; }
    }

    /// <summary>
    /// Waits for a lane; dispose the permit to give it back. <paramref name="cost"/> is the render's estimate in pixels
    /// (null when unknown, which never counts as cheap). <paramref name="ct"/> ends the wait with
    /// <see cref="OperationCanceledException"/>; the scheduler's own bound (<see cref="MaxWait"/>) ends it with a 503.
    /// </summary>
    public async Task<RenderPermit> AcquireAsync(long? cost = null, CancellationToken ct = default)
    {
        var cheap = cost is { } c && c <= cheapCost;
        var waiter = new Waiter(cheap, cheap ? 0 : Math.Max(0, cost ?? 0));
        List<Waiter> granted;
        bool grantedNow;
        lock (gate)
        {
            if (admitted >= concurrency + queueLength) throw Busy("Too many transformations are queued");
            admitted++;
            waiter.Node = queue.AddLast(waiter);
            // The same rules as for a waiter already queued: in order, cheap ones may pass a blocked heavy one.
            granted = GrantWaiting();
            grantedNow = waiter.Node is null;
        }
        Complete(granted, except: waiter);
        if (grantedNow) return waiter.Permit!;

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (MaxWait != Timeout.InfiniteTimeSpan) bounded.CancelAfter(MaxWait);
        // The callback and a grant both run under the lock: a waiter is either granted or removed, never both.
        await using (bounded.Token.Register(() => Abandon(waiter)))
        {
            try
            {
                return await waiter.Granted.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw Busy("No transformation slot came free in time");
            }
        }
    }

    /// <summary>Takes a lane and the charge for <paramref name="waiter"/> if both are free; call under the lock.</summary>
    private bool TryGrant(Waiter waiter)
    {
        var fitsBudget = waiter.Charge == 0 || spent == 0 || spent + waiter.Charge <= budget;
        Lane lane;
        if (freeLanes > 0 && fitsBudget) lane = Lane.General;
        else if (waiter.Cheap && cheapLaneFree) lane = Lane.Cheap;
        else return false;

        if (lane == Lane.General) freeLanes--;
        else cheapLaneFree = false;
        spent += waiter.Charge;
        waiter.Permit = new RenderPermit(this, lane, waiter.Charge);
        return true;
    }

    /// <summary>
    /// Grants waiters in arrival order. A render that is not cheap and cannot start holds back the renders that are not
    /// cheap behind it (so a large render is not starved by a stream of medium ones); cheap ones may pass it.
    /// </summary>
    private List<Waiter> GrantWaiting()
    {
        List<Waiter> granted = [];
        var blocked = false;
        for (var node = queue.First; node is not null;)
        {
            var next = node.Next;
            var waiter = node.Value;
            if ((waiter.Cheap || !blocked) && TryGrant(waiter))
            {
                queue.Remove(node);
                waiter.Node = null;
                granted.Add(waiter);
            }
            else if (!waiter.Cheap)
            {
                blocked = true;
            }
            if (freeLanes == 0 && !cheapLaneFree) break;
            node = next;
        }
        return granted;
    }

    /// <summary>A waiter whose wait ended (cancelled or timed out) before it was granted leaves the queue.</summary>
    private void Abandon(Waiter waiter)
    {
        List<Waiter> granted;
        lock (gate)
        {
            if (waiter.Node is null) return;
            queue.Remove(waiter.Node);
            waiter.Node = null;
            admitted--;
            // It may have held back renders behind it.
            granted = GrantWaiting();
        }
        waiter.Granted.TrySetCanceled();
        Complete(granted);
    }

    private void Release(Lane lane, long charge)
    {
        List<Waiter> granted;
        lock (gate)
        {
            if (lane == Lane.General) freeLanes++;
            else cheapLaneFree = true;
            spent -= charge;
            admitted--;
            granted = GrantWaiting();
        }
        Complete(granted);
    }

    /// <summary>Wakes granted waiters, outside the lock.</summary>
    private static void Complete(List<Waiter> granted, Waiter? except = null)
    {
        foreach (var next in granted)
            if (next != except) next.Granted.TrySetResult(next.Permit!);
    }

    private ApiException Busy(string reason) => ApiErrors.ServiceUnavailable("assets", reason, retryAfterSeconds);

    internal enum Lane { General, Cheap }

    private sealed class Waiter(bool cheap, long charge)
    {
        public bool Cheap { get; } = cheap;
        public long Charge { get; } = charge;
        public LinkedListNode<Waiter>? Node { get; set; }
        public RenderPermit? Permit { get; set; }
        public TaskCompletionSource<RenderPermit> Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One admitted render's lane and charge; disposing gives both back, once.</summary>
    public sealed class RenderPermit : IDisposable
    {
        private readonly RenderScheduler scheduler;
        private readonly Lane lane;
        private int released;

        internal RenderPermit(RenderScheduler scheduler, Lane lane, long charge)
        {
            this.scheduler = scheduler;
            this.lane = lane;
            Charge = charge;
        }

        /// <summary>Pixels of the budget this render holds.</summary>
        public long Charge { get; }

        /// <summary>Whether it runs in the cheap lane.</summary>
        public bool InCheapLane => lane == Lane.Cheap;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0) scheduler.Release(lane, Charge);
        }
    }
}
