using AssetServer.Assets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace AssetServer.Tests.Rendering;

/// <summary>Issue 17: background work waits for a lull in requests, and never longer than <see cref="RequestActivity.MaxDefer"/>.</summary>
public class RequestActivityTests
{
    private readonly FakeTimeProvider time = new();

    /// <summary>Starts a request that runs until the returned source is completed.</summary>
    private static (Task Running, TaskCompletionSource Finish) Request(RequestActivity activity)
    {
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (activity.TrackAsync(new DefaultHttpContext(), _ => finish.Task), finish);
    }

    /// <summary>Moves the fake clock on in small steps, so timers due meanwhile fire in order.</summary>
    private async Task AdvanceAsync(TimeSpan span)
    {
        for (var moved = TimeSpan.Zero; moved < span; moved += TimeSpan.FromMilliseconds(5))
        {
            time.Advance(TimeSpan.FromMilliseconds(5));
            await Task.Delay(1);
        }
    }

    [Test]
    public async Task WorkWaitsWhileARequestRunsAndGoesOnAfterTheLull()
    {
        var activity = new RequestActivity(time);
        var (running, finish) = Request(activity);
        var wait = activity.WaitForLullAsync(time.GetTimestamp(), CancellationToken.None);

        await AdvanceAsync(TimeSpan.FromMilliseconds(500));
        Assert.That(wait.IsCompleted, Is.False, "a request is in flight");

        finish.SetResult();
        await running;
        await AdvanceAsync(RequestActivity.Lull / 2);
        Assert.That(wait.IsCompleted, Is.False, "the request has only just ended");

        await AdvanceAsync(RequestActivity.Lull);
        await wait.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task WorkStopsWaitingAfterMaxDeferUnderEndlessRequests()
    {
        var activity = new RequestActivity(time);
        var (running, finish) = Request(activity);
        var wait = activity.WaitForLullAsync(time.GetTimestamp(), CancellationToken.None);

        await AdvanceAsync(RequestActivity.MaxDefer - TimeSpan.FromMilliseconds(100));
        Assert.That(wait.IsCompleted, Is.False);
        await AdvanceAsync(TimeSpan.FromMilliseconds(200));
        await wait.WaitAsync(TimeSpan.FromSeconds(10));

        finish.SetResult();
        await running;
    }

    [Test]
    public async Task AnIdleServerDoesNotDeferWork()
    {
        var activity = new RequestActivity(time);
        await AdvanceAsync(RequestActivity.Lull);

        var wait = activity.WaitForLullAsync(time.GetTimestamp(), CancellationToken.None);

        Assert.That(wait.IsCompletedSuccessfully, Is.True);
    }

    [Test]
    public async Task RequestsOneAfterAnotherKeepDeferringWork()
    {
        // Back-to-back uploads leave gaps far shorter than the lull: none of them lets the work start.
        var activity = new RequestActivity(time);
        var wait = activity.WaitForLullAsync(time.GetTimestamp(), CancellationToken.None);
        for (var i = 0; i < 20; i++)
        {
            var (running, finish) = Request(activity);
            await AdvanceAsync(TimeSpan.FromMilliseconds(20));
            finish.SetResult();
            await running;
            await AdvanceAsync(TimeSpan.FromMilliseconds(10));
            Assert.That(wait.IsCompleted, Is.False, $"after request {i + 1}");
        }
        await AdvanceAsync(RequestActivity.Lull + TimeSpan.FromMilliseconds(10));
        await wait.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
