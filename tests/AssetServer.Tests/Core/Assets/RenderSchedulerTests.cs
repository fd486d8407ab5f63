using AssetServer.Assets;
using AssetServer.Errors;

namespace AssetServer.Tests.Assets;

/// <summary>Issue 9: renders are admitted by what they cost, within a pixel budget shared by the renders running at once.</summary>
public class RenderSchedulerTests
{
    /// <summary>Four slots, a cheap lane for costs up to 5, a budget of 100 shared by the rest.</summary>
    private static RenderScheduler Queue() => new(4, 8, 1, TimeSpan.FromSeconds(30), cheapCost: 5, budget: 100);

    [Test]
    public async Task RendersWaitWhileTogetherTheyWouldCostMoreThanTheBudget_Issue9()
    {
        var queue = Queue();
        var first = await queue.AcquireAsync(60);
        var second = queue.AcquireAsync(60);
        await Task.Delay(100);
        Assert.That(second.IsCompleted, Is.False, "60 + 60 is past a budget of 100");
        Assert.That(queue.Spent, Is.EqualTo(60));

        first.Dispose();
        (await second).Dispose();
        Assert.That(queue.Spent, Is.Zero);
        Assert.That(queue.Admitted, Is.Zero);
    }

    [Test]
    public async Task CheapRendersAreNotHeldByTheBudget_Issue9()
    {
        var queue = Queue();
        using var heavy = await queue.AcquireAsync(100);
        using var cheap = await queue.AcquireAsync(3);
        Assert.That(queue.Spent, Is.EqualTo(100));
    }

    [Test]
    public async Task ARenderDearerThanTheWholeBudgetRunsOnlyAlone_Issue9()
    {
        var queue = Queue();
        var alone = await queue.AcquireAsync(500);
        var next = queue.AcquireAsync(10);
        await Task.Delay(100);
        Assert.That(next.IsCompleted, Is.False);
        alone.Dispose();
        (await next).Dispose();
    }

    [Test]
    public async Task AWaitForBudgetPastMaxWaitIsAQuick503AndGivesItsSlotBack_Issue9()
    {
        var queue = new RenderScheduler(4, 8, 1, TimeSpan.FromMilliseconds(200), cheapCost: 5, budget: 100);
        using var holder = await queue.AcquireAsync(90);
        var error = Assert.ThrowsAsync<ApiException>(() => queue.AcquireAsync(50))!;
        Assert.That(error.Status, Is.EqualTo(503));
        Assert.That(error.Headers.ContainsKey("Retry-After"), Is.True);
        Assert.That(queue.Admitted, Is.EqualTo(1));
        Assert.That(queue.Spent, Is.EqualTo(90));
        // Its slot came back: three more renders (within the budget) still find one each.
        using var a = await queue.AcquireAsync(3);
        using var b = await queue.AcquireAsync(3);
        using var c = await queue.AcquireAsync(3);
        Assert.That(queue.Admitted, Is.EqualTo(4));
    }
}

/// <summary>Issue 17: one state, one lock; a permit is a value, never worked out by comparing Tasks.</summary>
public class RenderSchedulerPermitTests
{
    [Test]
    public async Task TwoWorkersAtLowContentionNeverLoseOrDuplicateAPermit_Issue17()
    {
        // The bug this replaced showed with two workers in under a second: cheap renders raced for a general slot and
        // the cheap lane, both granted at once, and the wrong one was given back (SemaphoreFullException, a lost lane).
        var scheduler = new RenderScheduler(1, 8, 1, TimeSpan.FromSeconds(30), cheapCost: 5, budget: 100);
        var running = 0;
        var most = 0;
        var cheapLaneHolders = 0;
        var deadline = DateTime.UtcNow.AddSeconds(2);

        async Task Worker(int seed)
        {
            var random = new Random(seed);
            while (DateTime.UtcNow < deadline)
            {
                using var permit = await scheduler.AcquireAsync(random.Next(1, 6));
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref most, now);
                if (permit.InCheapLane) Assert.That(Interlocked.Increment(ref cheapLaneHolders), Is.EqualTo(1), "one holder of the cheap lane");
                if (random.Next(3) == 0) await Task.Yield();
                if (permit.InCheapLane) Interlocked.Decrement(ref cheapLaneHolders);
                Interlocked.Decrement(ref running);
            }
        }

        await Task.WhenAll(Task.Run(() => Worker(1)), Task.Run(() => Worker(2)));
        Assert.That(most, Is.LessThanOrEqualTo(2), "one general lane and the cheap lane");
        Assert.That(scheduler.Admitted, Is.Zero);
        Assert.That(scheduler.Waiting, Is.Zero);
        // Both lanes are still there: two cheap renders hold them at once, a third waits.
        using var a = await scheduler.AcquireAsync(1);
        using var b = await scheduler.AcquireAsync(1);
        Assert.That(a.InCheapLane ^ b.InCheapLane, Is.True, "one in the general lane, one in the cheap lane");
        var c = scheduler.AcquireAsync(1);
        await Task.Delay(50);
        Assert.That(c.IsCompleted, Is.False);
        a.Dispose();
        (await c).Dispose();
    }

    [Test]
    public async Task ACancelledWaiterLeavesTheQueueAndTakesNothing_Issue17()
    {
        var scheduler = new RenderScheduler(1, 8, 1, TimeSpan.FromSeconds(30), cheapCost: 5, budget: 100);
        var holder = await scheduler.AcquireAsync(50);
        using var cancel = new CancellationTokenSource();
        var waiting = scheduler.AcquireAsync(50, cancel.Token);
        Assert.That(scheduler.Waiting, Is.EqualTo(1));
        cancel.Cancel();
        Assert.CatchAsync<OperationCanceledException>(() => waiting);
        Assert.That(scheduler.Waiting, Is.Zero);
        Assert.That(scheduler.Admitted, Is.EqualTo(1));
        holder.Dispose();
        Assert.That(scheduler.Admitted, Is.Zero);
        Assert.That(scheduler.Spent, Is.Zero);
        using var next = await scheduler.AcquireAsync(100);
        Assert.That(next.Charge, Is.EqualTo(100));
    }

    [Test]
    public async Task ACheapRenderPassesAHeavyOneWaitingForBudgetButAMediumOneDoesNot_Issue17()
    {
        var scheduler = new RenderScheduler(4, 8, 1, TimeSpan.FromSeconds(30), cheapCost: 5, budget: 100);
        using var running = await scheduler.AcquireAsync(60);
        var heavy = scheduler.AcquireAsync(80);
        var medium = scheduler.AcquireAsync(20);
        using var cheap = await scheduler.AcquireAsync(3);
        await Task.Delay(50);
        Assert.That(heavy.IsCompleted, Is.False, "60 + 80 is past the budget");
        Assert.That(medium.IsCompleted, Is.False, "it would fit, but it came after the heavy one");
        running.Dispose();
        using var heavyPermit = await heavy;
        // 80 + 20 fits: it starts while the heavy one runs.
        using var mediumPermit = await medium.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(scheduler.Spent, Is.EqualTo(100));
    }

    [Test]
    public async Task PastTheQueueARenderIsRefusedAtOnce_Issue17()
    {
        var scheduler = new RenderScheduler(1, 1, 7, TimeSpan.FromSeconds(30), cheapCost: 0, budget: 100);
        using var first = await scheduler.AcquireAsync(10);
        var second = scheduler.AcquireAsync(10);
        var error = Assert.ThrowsAsync<ApiException>(() => scheduler.AcquireAsync(10))!;
        Assert.That(error.Status, Is.EqualTo(503));
        Assert.That(error.Headers["Retry-After"], Is.EqualTo("7"));
        first.Dispose();
        (await second).Dispose();
        Assert.That(scheduler.Admitted, Is.Zero);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
