using System.Runtime.InteropServices;
using AssetServer.Transforms;

namespace AssetServer.Tests.Transforms;

/// <summary>
/// Issue 17: after <see cref="LibvipsSetup.Apply"/>, a block of 1 MiB or more is mapped on its own (and unmapped when
/// freed) even after a larger one was freed, which by glibc's default raises the threshold so that later pixel
/// buffers stay in the arenas as resident memory.
/// </summary>
public class MallocThresholdTests
{
    [Test]
    public void ABlockOverTheThresholdIsMappedAfterALargerOneWasFreed()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("glibc's malloc");
        LibvipsSetup.Apply();
        var mapped = false;
        // Other threads of the test host may map or unmap blocks meanwhile: one clean look out of three is enough.
        for (var attempt = 0; attempt < 3 && !mapped; attempt++)
        {
            // Marshal.AllocHGlobal is malloc on Linux.
            Marshal.FreeHGlobal(Marshal.AllocHGlobal(16 << 20));
            var before = (long)MallInfo2().MappedBytes;
            var block = Marshal.AllocHGlobal(4 << 20);
            mapped = (long)MallInfo2().MappedBytes - before >= 4 << 20;
            Marshal.FreeHGlobal(block);
        }
        Assert.That(mapped, Is.True, "a 4 MiB block after a 16 MiB one was freed came from an arena");
    }

    /// <summary>glibc's <c>struct mallinfo2</c> (2.33+): ten size_t fields; <c>hblkhd</c> is the bytes in mapped blocks.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct MallocInfo
    {
        public nuint Arena, OrdinaryBlocks, SmallBlocks, MappedBlocks, MappedBytes, Unused, FastBytes, Allocated, Free, KeepCost;
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern MallocInfo MallInfo2();
}
