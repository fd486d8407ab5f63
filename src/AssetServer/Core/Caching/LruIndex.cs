using System.Collections.Concurrent;

namespace AssetServer.Caching;

/// <summary>
/// A least-recently-used index bounded by entry count and by bytes, with O(1) lookups, adds and evictions (an
/// eviction also steps over the entries pinned at the time).
/// Lookups take no lock: a hit only records itself in a bounded lock-free buffer, which the next writer (or a hit
/// that finds the buffer half full and the lock free) replays onto the ordered list. An entry records at most one
/// hit per <see cref="TouchInterval"/> (a hot entry is not re-queued on every request), and under heavy reads some
/// hits are dropped from the buffer, so the order is by last use to within that interval; the bounds are exact (pins aside).
/// Each entry belongs to a group (the file id), so every entry of a file can be removed at once.
/// An entry can be pinned while its value is in use (a file being read): eviction passes over it, so the byte bound
/// may be exceeded until the last pin goes, and then the bound is restored at once. An explicit removal still takes it.
/// </summary>
internal sealed class LruIndex<T>(long maxBytes, int maxEntries)
{
    private const int TouchBufferSize = 4096;

    /// <summary>Hits on one entry closer together than this move it once.</summary>
    private const long TouchInterval = 250;

    private readonly ConcurrentDictionary<string, Node> map = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<Node>> groups = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Node> touches = new();
    private readonly Lock gate = new();
    private int pendingTouches;

    // Oldest at head, newest at tail; changed only under the gate.
    private Node? head;
    private Node? tail;
    private long bytes;
    private int count;

    public long Bytes => Volatile.Read(ref bytes);

    public int Count => Volatile.Read(ref count);

    public long MaxBytes => maxBytes;

    public bool TryGet(string key, out T value)
    {
        if (map.TryGetValue(key, out var node) && !node.Removed)
        {
            Touch(node);
            value = node.Value;
            return true;
        }
        value = default!;
        return false;
    }

    /// <summary>
    /// The size an entry was added with, without counting as a use: describing an entry (a JSON answer that reports
    /// a derivative's bytes) must not keep it from eviction the way serving it does.
    /// </summary>
    public bool TryPeekSize(string key, out long size)
    {
        if (map.TryGetValue(key, out var node) && !node.Removed)
        {
            size = node.Size;
            return true;
        }
        size = 0;
        return false;
    }

    /// <summary>
    /// Adds or replaces an entry as the most recently used, then evicts from the old end until both bounds hold
    /// (never the entry just added). Returns the evicted values for the caller to release outside any lock.
    /// </summary>
    public List<T> Add(string key, string group, T value, long size)
    {
        TryAdd(key, group, value, size, null, out var evicted);
        return evicted;
    }

    /// <summary>
    /// As <see cref="Add"/>, but only when <paramref name="admit"/>, run under the index's lock, says yes: a
    /// check-then-add that a concurrent <see cref="RemoveGroup"/> cannot slip between. A value that names something
    /// a later add can name again (a derivative's path) is given to <paramref name="release"/> under the lock too, so
    /// its release can never reach what a later add put under the same name.
    /// </summary>
    public bool TryAdd(string key, string group, T value, long size, Func<bool>? admit, out List<T> evicted, Action<T>? release = null)
    {
        evicted = [];
        lock (gate)
        {
            if (admit is not null && !admit()) return false;
            AddLocked(key, group, value, size, 0, evicted);
            if (release is not null) evicted.ForEach(release);
        }
        return true;
    }

    /// <summary>
    /// As <see cref="Add"/>, with the new entry pinned <paramref name="pins"/> times: each holder gives its pin back
    /// with <see cref="Unpin"/>.
    /// </summary>
    public Pinned AddPinned(string key, string group, T value, long size, int pins, out List<T> evicted)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pins);
        evicted = [];
        lock (gate) return new Pinned(AddLocked(key, group, value, size, pins, evicted));
    }

    /// <summary>The entry under <paramref name="key"/>, pinned (and marked as used) if there is one.</summary>
    public bool TryPin(string key, out Pinned pinned)
    {
        lock (gate)
        {
            if (map.TryGetValue(key, out var node) && !node.Removed)
            {
                node.Pins++;
                if (node != tail)
                {
                    Detach(node);
                    Append(node);
                }
                pinned = new Pinned(node);
                return true;
            }
        }
        pinned = default;
        return false;
    }

    /// <summary>
    /// Gives back one pin. When it was the entry's last, the bounds are restored, which may evict it or others:
    /// their values are returned for the caller to release outside any lock.
    /// </summary>
    public List<T> Unpin(Pinned pinned)
    {
        var node = pinned.Node ?? throw new ArgumentException("Not a pinned entry.", nameof(pinned));
        List<T> evicted = [];
        lock (gate)
        {
            if (node.Pins <= 0) throw new InvalidOperationException($"Entry {node.Key} is not pinned.");
            if (--node.Pins == 0 && !node.Removed) EvictLocked(null, evicted);
        }
        return evicted;
    }

    private Node AddLocked(string key, string group, T value, long size, int pins, List<T> evicted)
    {
        ReplayTouches();
        if (map.TryGetValue(key, out var old))
        {
            Unlink(old);
            // The same value again (a second render of one key wrote the same path) is not the caller's to release.
            if (!EqualityComparer<T>.Default.Equals(old.Value, value)) evicted.Add(old.Value);
        }
        var node = new Node(key, group, value, size) { Pins = pins };
        Append(node);
        map[key] = node;
        if (!groups.TryGetValue(group, out var members)) groups[group] = members = [];
        members.Add(node);
        bytes += size;
        count++;
        EvictLocked(node, evicted);
        return node;
    }

    /// <summary>Oldest unpinned entries out until both bounds hold (never <paramref name="keep"/>, the entry just added).</summary>
    private void EvictLocked(Node? keep, List<T> evicted)
    {
        var candidate = head;
        while ((bytes > maxBytes || count > maxEntries) && candidate is not null)
        {
            var next = candidate.Next;
            if (candidate != keep && candidate.Pins == 0)
            {
                Unlink(candidate);
                evicted.Add(candidate.Value);
            }
            candidate = next;
        }
    }

    /// <summary>Removes the entry under <paramref name="key"/>, whatever it holds.</summary>
    public bool Remove(string key)
    {
        lock (gate)
        {
            if (!map.TryGetValue(key, out var node)) return false;
            Unlink(node);
            return true;
        }
    }

    /// <summary>Removes the entry if it still holds <paramref name="value"/> (a newer one under the key stays).</summary>
    public bool Remove(string key, T value)
    {
        lock (gate)
        {
            if (!map.TryGetValue(key, out var node) || !EqualityComparer<T>.Default.Equals(node.Value, value)) return false;
            Unlink(node);
            return true;
        }
    }

    /// <summary>
    /// Removes every entry of a group and returns their values, each given to <paramref name="release"/> under the
    /// lock first when one is passed (as in <see cref="TryAdd"/>).
    /// </summary>
    public List<T> RemoveGroup(string group, Action<T>? release = null)
    {
        lock (gate)
        {
            if (!groups.TryGetValue(group, out var members)) return [];
            var values = members.Select(n => n.Value).ToList();
            foreach (var node in members.ToList()) Unlink(node);
            if (release is not null) values.ForEach(release);
            return values;
        }
    }

    private void Touch(Node node)
    {
        var now = Environment.TickCount64;
        if (now - Volatile.Read(ref node.LastTouch) < TouchInterval) return;
        Volatile.Write(ref node.LastTouch, now);
        if (Interlocked.Increment(ref pendingTouches) > TouchBufferSize)
        {
            // Buffer full: this hit is not recorded. Bounded memory matters more than exact order.
            Interlocked.Decrement(ref pendingTouches);
            return;
        }
        touches.Enqueue(node);
        // Replay opportunistically, but never wait for the lock on a hit.
        if (Volatile.Read(ref pendingTouches) >= TouchBufferSize / 2 && gate.TryEnter())
        {
            try
            {
                ReplayTouches();
            }
            finally
            {
                gate.Exit();
            }
        }
    }

    private void ReplayTouches()
    {
        while (touches.TryDequeue(out var node))
        {
            Interlocked.Decrement(ref pendingTouches);
            if (node.Removed || node == tail) continue;
            Detach(node);
            Append(node);
        }
    }

    private void Unlink(Node node)
    {
        if (node.Removed) return;
        node.Removed = true;
        Detach(node);
        map.TryRemove(new KeyValuePair<string, Node>(node.Key, node));
        if (groups.TryGetValue(node.Group, out var members) && members.Remove(node) && members.Count == 0) groups.Remove(node.Group);
        bytes -= node.Size;
        count--;
    }

    private void Append(Node node)
    {
        node.Previous = tail;
        node.Next = null;
        if (tail is null) head = node;
        else tail.Next = node;
        tail = node;
    }

    private void Detach(Node node)
    {
        if (node.Previous is null) head = node.Next;
        else node.Previous.Next = node.Next;
        if (node.Next is null) tail = node.Previous;
        else node.Next.Previous = node.Previous;
        node.Previous = node.Next = null;
    }

    /// <summary>A pin on one entry, given back once with <see cref="Unpin"/>.</summary>
    public readonly struct Pinned
    {
        internal Pinned(Node node) => Node = node;

        internal Node? Node { get; }

        public T Value => Node is { } node ? node.Value : throw new InvalidOperationException("Not a pinned entry.");
    }

    internal sealed class Node(string key, string group, T value, long size)
    {
        public string Key { get; } = key;
        public string Group { get; } = group;
        public T Value { get; } = value;
        public long Size { get; } = size;
        public Node? Previous { get; set; }
        public Node? Next { get; set; }

        /// <summary>Holders of <see cref="Pinned"/> on this entry; changed under the gate. Eviction skips it while above 0.</summary>
        public int Pins { get; set; }

        /// <summary>Set under the gate; read without it by lookups, which then treat the entry as gone.</summary>
        public volatile bool Removed;

        /// <summary>When a hit last queued this entry (<see cref="Environment.TickCount64"/>; the first hit always does); racy by design.</summary>
        public long LastTouch = long.MinValue / 2;
    }
}
