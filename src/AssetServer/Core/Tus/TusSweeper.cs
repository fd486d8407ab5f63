using Microsoft.Extensions.Options;

namespace AssetServer.Tus;

/// <summary>
/// Sweeps expired uploads (<c>Tus:UploadExpiration</c>) with their bytes or chunk objects, at start and every
/// <c>Tus:SweepInterval</c>. Every node runs it; the upload lock and the row delete make a double sweep harmless.
/// </summary>
public sealed class TusSweeper(TusService tus, IOptions<TusOptions> options, IOptions<Storage.DataOptions> data, TimeProvider time, ILogger<TusSweeper> logger)
    : BackgroundService
{
    /// <summary>One sweep now (the timer's work; tests call it after moving the clock on).</summary>
    public Task<int> SweepAsync(CancellationToken ct) =>
        // Orphaned bytes wait as long as a crashed request's temp files do (Data:SweepGrace), and never less than
        // an upload may live: bytes written a moment before their row commits are no orphans.
        tus.SweepAsync(TimeSpan.FromTicks(Math.Max(data.Value.SweepGraceSpan.Ticks, options.Value.UploadExpirationSpan.Ticks)), ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepIntervalSpan, time);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "The sweep of expired tus uploads failed; it runs again in {Interval}", options.Value.SweepInterval);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
