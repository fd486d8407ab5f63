using System.Runtime;
using System.Runtime.InteropServices;

namespace AssetServer.Server;

/// <summary>
/// Gives memory back after a burst (issue 9): an idle server allocates nothing, so no collection ever runs and a
/// spike's heap stays resident for good, whatever the GC settings. Once no request has run for
/// <see cref="IdleFor"/> and the heap has grown since the last trim, this runs one aggressive, compacting collection
/// (which decommits free regions) and asks glibc to return freed native memory (libvips's pixel buffers).
/// </summary>
public sealed class IdleMemoryTrimmer(TimeProvider time, Assets.RequestActivity activity, ILogger<IdleMemoryTrimmer> logger) : BackgroundService
{
    /// <summary>How long the server must have been idle.</summary>
    public static readonly TimeSpan IdleFor = TimeSpan.FromSeconds(2);

    /// <summary>Growth of committed memory since the last trim that makes another worth it.</summary>
    private const long GrowthWorthTrimming = 64L << 20;

    private long committedAfterTrim;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        committedAfterTrim = GC.GetGCMemoryInfo().TotalCommittedBytes;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!activity.IdleFor(IdleFor)) continue;
            var committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
            if (committed - committedAfterTrim < GrowthWorthTrimming) continue;

            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            TrimNativeHeap();
            committedAfterTrim = GC.GetGCMemoryInfo().TotalCommittedBytes;
            logger.LogInformation("Idle: gave memory back, committed heap {Before} → {After} bytes", committed, committedAfterTrim);
        }
    }

    private static void TrimNativeHeap()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            MallocTrim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: nothing to ask.
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
