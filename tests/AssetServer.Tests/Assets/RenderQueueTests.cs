using AssetServer.Assets;
using AssetServer.Errors;

namespace AssetServer.Tests.Assets;

/// <summary>Issue 9: renders are admitted by what they cost, within a pixel budget shared by the renders running at once.</summary>
public class RenderQueueTests
{
    /// <summary>Four slots, a cheap lane for costs up to 5, a budget of 100 shared by the rest.</summary>
    private static RenderQueue Queue() => new(4, 8, 1, TimeSpan.FromSeconds(30), cheapCost: 5, budget: 100);

    [Test]
    public async Task RendersWaitWhileTogetherTheyWouldCostMoreThanTheBudget_Issue9()
    {
        var queue = Queue();
        var first = await queue.EnterAsync(60);
        var second = queue.EnterAsync(60);
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
        using var heavy = await queue.EnterAsync(100);
        using var cheap = await queue.EnterAsync(3);
        Assert.That(queue.Spent, Is.EqualTo(100));
    }

    [Test]
    public async Task ARenderDearerThanTheWholeBudgetRunsOnlyAlone_Issue9()
    {
        var queue = Queue();
        var alone = await queue.EnterAsync(500);
        var next = queue.EnterAsync(10);
        await Task.Delay(100);
        Assert.That(next.IsCompleted, Is.False);
        alone.Dispose();
        (await next).Dispose();
    }

    [Test]
    public async Task AWaitForBudgetPastMaxWaitIsAQuick503AndGivesItsSlotBack_Issue9()
    {
        var queue = new RenderQueue(4, 8, 1, TimeSpan.FromMilliseconds(200), cheapCost: 5, budget: 100);
        using var holder = await queue.EnterAsync(90);
        var error = Assert.ThrowsAsync<ApiException>(() => queue.EnterAsync(50))!;
        Assert.That(error.Status, Is.EqualTo(503));
        Assert.That(error.Headers.ContainsKey("Retry-After"), Is.True);
        Assert.That(queue.Admitted, Is.EqualTo(1));
        Assert.That(queue.Spent, Is.EqualTo(90));
        // Its slot came back: three more renders (within the budget) still find one each.
        using var a = await queue.EnterAsync(3);
        using var b = await queue.EnterAsync(3);
        using var c = await queue.EnterAsync(3);
        Assert.That(queue.Admitted, Is.EqualTo(4));
    }
}
