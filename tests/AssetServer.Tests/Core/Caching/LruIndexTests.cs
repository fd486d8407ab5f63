using AssetServer.Caching;

namespace AssetServer.Tests.Caching;

public class LruIndexTests
{
    [Test]
    public void EvictsTheLeastRecentlyUsedPastTheByteBound()
    {
        var index = new LruIndex<string>(maxBytes: 30, maxEntries: 100);
        index.Add("a", "g", "A", 10);
        index.Add("b", "g", "B", 10);
        index.Add("c", "g", "C", 10);
        Assert.That(index.TryGet("a", out _), Is.True);

        var evicted = index.Add("d", "g", "D", 10);

        Assert.That(evicted, Is.EqualTo(new[] { "B" }));
        Assert.That(index.TryGet("b", out _), Is.False);
        Assert.That(index.Bytes, Is.EqualTo(30));
    }

    [Test]
    public void EvictsPastTheEntryBound()
    {
        var index = new LruIndex<int>(maxBytes: long.MaxValue, maxEntries: 2);
        index.Add("a", "g", 1, 1);
        index.Add("b", "g", 2, 1);
        Assert.That(index.Add("c", "g", 3, 1), Is.EqualTo(new[] { 1 }));
        Assert.That(index.Count, Is.EqualTo(2));
    }

    [Test]
    public void NeverEvictsTheEntryJustAddedEvenWhenItAloneIsOverTheBound()
    {
        var index = new LruIndex<string>(maxBytes: 5, maxEntries: 10);
        index.Add("a", "g", "A", 3);
        Assert.That(index.Add("big", "g", "BIG", 50), Is.EqualTo(new[] { "A" }));
        Assert.That(index.TryGet("big", out var value), Is.True);
        Assert.That(value, Is.EqualTo("BIG"));
    }

    [Test]
    public void ReplacingAKeyReturnsTheOldValueAndKeepsTheSizeRight()
    {
        var index = new LruIndex<string>(100, 100);
        index.Add("a", "g", "old", 10);
        Assert.That(index.Add("a", "g", "new", 20), Is.EqualTo(new[] { "old" }));
        Assert.That(index.Bytes, Is.EqualTo(20));
        Assert.That(index.Count, Is.EqualTo(1));
    }

    [Test]
    public void RemoveGroupTakesEveryEntryOfTheGroupAndNoOther()
    {
        var index = new LruIndex<string>(1000, 1000);
        index.Add("a1", "file-a", "A1", 1);
        index.Add("a2", "file-a", "A2", 1);
        index.Add("b1", "file-b", "B1", 1);

        Assert.That(index.RemoveGroup("file-a"), Is.EquivalentTo(new[] { "A1", "A2" }));
        Assert.That(index.TryGet("a1", out _), Is.False);
        Assert.That(index.TryGet("b1", out _), Is.True);
        Assert.That(index.Bytes, Is.EqualTo(1));
        Assert.That(index.RemoveGroup("file-a"), Is.Empty);
    }

    [Test]
    public void RemoveOnlyRemovesTheValueItWasGiven()
    {
        var index = new LruIndex<string>(1000, 1000);
        index.Add("a", "g", "first", 1);
        index.Add("a", "g", "second", 1);
        Assert.That(index.Remove("a", "first"), Is.False);
        Assert.That(index.Remove("a", "second"), Is.True);
        Assert.That(index.Count, Is.Zero);
    }

    [Test]
    public void TryAddRefusedByItsCheckAddsNothing()
    {
        var index = new LruIndex<string>(1000, 1000);
        Assert.That(index.TryAdd("a", "g", "A", 1, () => false, out var evicted), Is.False);
        Assert.That(evicted, Is.Empty);
        Assert.That(index.Count, Is.Zero);
    }

    [Test]
    public async Task ConcurrentHitsAndAddsKeepBothBounds()
    {
        var index = new LruIndex<int>(maxBytes: 500, maxEntries: 40);
        var tasks = Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 5000; i++)
            {
                var key = $"k{(i * 7 + worker) % 200}";
                if (!index.TryGet(key, out _)) index.Add(key, $"g{i % 5}", i, 1 + i % 20);
                if (i % 1000 == 0) index.RemoveGroup($"g{worker}");
            }
        })).ToArray();
        await Task.WhenAll(tasks);

        Assert.That(index.Count, Is.LessThanOrEqualTo(40));
        Assert.That(index.Bytes, Is.LessThanOrEqualTo(500 + 20));
        Assert.That(index.Bytes, Is.GreaterThan(0));
    }
}

public class LruIndexPinningTests
{
    [Test]
    public void APinnedEntrySurvivesPressureAndIsEvictedOnceUnpinned_Issue17()
    {
        var index = new LruIndex<string>(maxBytes: 20, maxEntries: 100);
        var pinned = index.AddPinned("a", "g", "A", 15, pins: 1, out _);

        // Over the bound twice: the pinned entry (the oldest) is passed over, the next oldest goes.
        Assert.That(index.Add("b", "g", "B", 10), Is.Empty);
        Assert.That(index.Add("c", "g", "C", 10), Is.EqualTo(new[] { "B" }));
        Assert.That(index.TryGet("a", out _), Is.True);
        Assert.That(index.Bytes, Is.EqualTo(25));

        Assert.That(index.Unpin(pinned), Is.EqualTo(new[] { "A" }));
        Assert.That(index.TryGet("a", out _), Is.False);
        Assert.That(index.Bytes, Is.EqualTo(10));
    }

    [Test]
    public void PinsAreCountedAndTheLastOneReleasesTheEntry_Issue17()
    {
        var index = new LruIndex<string>(maxBytes: 10, maxEntries: 100);
        index.Add("a", "g", "A", 10);
        Assert.That(index.TryPin("a", out var first), Is.True);
        Assert.That(index.TryPin("a", out var second), Is.True);
        Assert.That(first.Value, Is.EqualTo("A"));

        index.Add("b", "g", "B", 10);
        Assert.That(index.Unpin(first), Is.Empty);
        Assert.That(index.TryGet("a", out _), Is.True);
        Assert.That(index.Unpin(second), Is.EqualTo(new[] { "A" }));
        Assert.Throws<InvalidOperationException>(() => index.Unpin(second));
    }

    [Test]
    public void TryPinFindsNothingUnderAnUnknownKey()
    {
        var index = new LruIndex<string>(100, 100);
        Assert.That(index.TryPin("nothing", out _), Is.False);
    }

    [Test]
    public void PinningMarksTheEntryAsUsed()
    {
        var index = new LruIndex<string>(maxBytes: 20, maxEntries: 100);
        index.Add("a", "g", "A", 10);
        index.Add("b", "g", "B", 10);
        Assert.That(index.TryPin("a", out var pinned), Is.True);
        index.Unpin(pinned);
        Assert.That(index.Add("c", "g", "C", 10), Is.EqualTo(new[] { "B" }));
    }

    [Test]
    public void AnExplicitRemovalTakesAPinnedEntryToo()
    {
        var index = new LruIndex<string>(100, 100);
        var pinned = index.AddPinned("a", "file", "A", 1, pins: 1, out _);
        Assert.That(index.RemoveGroup("file"), Is.EqualTo(new[] { "A" }));
        Assert.That(index.Unpin(pinned), Is.Empty);
        Assert.That(index.Count, Is.Zero);
    }

    [Test]
    public async Task AnEvictedValueIsReleasedBeforeAnyLaterAddCanReuseItsName_Issue18()
    {
        var index = new LruIndex<string>(maxBytes: long.MaxValue, maxEntries: 1);
        index.Add("a", "g", "/a", 1);
        var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var releasing = new ManualResetEventSlim();
        using var released = new ManualResetEventSlim();

        // "b" evicts "a"; its release (deleting the file /a) is held up halfway.
        var evicting = Task.Run(() => index.TryAdd("b", "g", "/b", 1, null, out _, path =>
        {
            releasing.Set();
            released.Wait(TimeSpan.FromSeconds(30));
            order.Enqueue("release " + path);
        }));
        releasing.Wait(TimeSpan.FromSeconds(30));
        // A fresh render of "a" lands under the same name meanwhile: it must come after the release, not before it.
        var readding = Task.Run(() => index.TryAdd("a", "g", "/a", 1, () =>
        {
            order.Enqueue("add /a");
            return true;
        }, out _));
        await Task.Delay(200);
        released.Set();
        await Task.WhenAll(evicting, readding);

        Assert.That(order, Is.EqualTo(new[] { "release /a", "add /a" }));
        Assert.That(index.TryGet("a", out var kept) ? kept : null, Is.EqualTo("/a"));
    }
}
