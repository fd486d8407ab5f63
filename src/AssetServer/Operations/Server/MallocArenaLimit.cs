using System.Reflection;
using System.Runtime.InteropServices;

namespace AssetServer.Server;

/// <summary>
/// Limits glibc's malloc to <see cref="Arenas"/> arenas for the whole life of the server process. glibc reads
/// <c>MALLOC_ARENA_MAX</c> only when the process starts, and by the time <c>Main</c> runs the runtime's own threads
/// already hold arenas that a later <c>mallopt</c> cannot take back (storm peak RSS: 346 MB with <c>mallopt</c> at
/// start, 257 MB with the variable set, issue 17, benchmarks/RESULTS.md). So, when the variable is unset, the server
/// replaces its own process image with itself, same arguments and environment plus <c>MALLOC_ARENA_MAX=2</c>:
/// <c>execve</c> keeps the PID, the open standard streams and the parent, so systemd, a supervisor or a shell see
/// one process, however it was started (<c>dotnet run</c>, <c>dotnet AssetServer.dll</c>, the published binary).
/// </summary>
/// <remarks>
/// Left alone: a <c>MALLOC_ARENA_MAX</c> or <c>glibc.malloc.arena_max</c> tunable set by the deployment (its value
/// wins), <c>ASSETSERVER_NO_ARENA_RESTART=1</c>, another C library than glibc, an attached debugger, and any host
/// that is not AssetServer's own entry point (the test host runs <c>Main</c> up to <c>Build()</c> inside its process).
/// </remarks>
public static class MallocArenaLimit
{
    /// <summary>The arena count: one per render slot on a small machine; more arenas only keep more freed pixels.</summary>
    public const int Arenas = 2;

    private const string Variable = "MALLOC_ARENA_MAX";
    private const string OptOut = "ASSETSERVER_NO_ARENA_RESTART";

    /// <summary>True when the environment already decides the arena count, so nothing here should change it.</summary>
    public static bool SetByEnvironment =>
        Environment.GetEnvironmentVariable(Variable) is not null
        || Environment.GetEnvironmentVariable("GLIBC_TUNABLES")?.Contains("glibc.malloc.arena_max", StringComparison.Ordinal) == true;

    /// <summary>
    /// Replaces the process with itself under the limit when it is needed and possible; returns (doing nothing) otherwise.
    /// Call it first in <c>Main</c>, before any thread of the app's own starts or any file is opened.
    /// </summary>
    public static void RestartUnderLimit(Assembly entryPoint)
    {
        if (!OperatingSystem.IsLinux() || SetByEnvironment || Environment.GetEnvironmentVariable(OptOut) == "1") return;
        if (Assembly.GetEntryAssembly() != entryPoint || System.Diagnostics.Debugger.IsAttached || !IsGlibc()) return;
        try
        {
            var argv = Split(File.ReadAllBytes("/proc/self/cmdline"));
            var environ = Split(File.ReadAllBytes("/proc/self/environ"));
            if (argv.Count == 0) return;
            environ.Add(System.Text.Encoding.UTF8.GetBytes($"{Variable}={Arenas}\0"));
            RemoveDiagnosticsSocket();
            Exec(argv, environ);
            // Only a failed execve returns: run on with the mallopt fallback (LibvipsSetup).
            Console.Error.WriteLine($"AssetServer: could not restart with {Variable}={Arenas} (errno {Marshal.GetLastPInvokeError()}); running without it");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No /proc, or a socket file that is not ours to remove: run on with the mallopt fallback.
        }
    }

    /// <summary>
    /// This runtime's diagnostics socket (dotnet-trace, dotnet-counters): the next image names its own the same (same
    /// PID, same start time) and cannot listen while this one's file is there.
    /// </summary>
    private static void RemoveDiagnosticsSocket()
    {
        foreach (var socket in Directory.EnumerateFiles(Path.GetTempPath(), $"dotnet-diagnostic-{Environment.ProcessId}-*-socket"))
            File.Delete(socket);
    }

    /// <summary>NUL-separated strings as the kernel lists them, kept as bytes: neither may be valid UTF-8.</summary>
    private static List<byte[]> Split(byte[] list)
    {
        var items = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < list.Length; i++)
        {
            if (list[i] != 0) continue;
            items.Add(list[start..(i + 1)]); // with its NUL, as execve wants it
            start = i + 1;
        }
        return items;
    }

    private static void Exec(List<byte[]> argv, List<byte[]> environ)
    {
        var handles = new List<GCHandle>();
        try
        {
            IntPtr[] Pointers(List<byte[]> items)
            {
                var pointers = new IntPtr[items.Count + 1];
                for (var i = 0; i < items.Count; i++)
                {
                    var handle = GCHandle.Alloc(items[i], GCHandleType.Pinned);
                    handles.Add(handle);
                    pointers[i] = handle.AddrOfPinnedObject();
                }
                return pointers;
            }
            // /proc/self/exe: this very binary (dotnet or the apphost), even if its path has been replaced since.
            Execve("/proc/self/exe", Pointers(argv), Pointers(environ));
        }
        finally
        {
            foreach (var handle in handles) handle.Free();
        }
    }

    private static bool IsGlibc()
    {
        try
        {
            return GnuGetLibcVersion() != IntPtr.Zero;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // musl (Alpine): no arenas to limit
        }
    }

    [DllImport("libc", EntryPoint = "gnu_get_libc_version")]
    private static extern IntPtr GnuGetLibcVersion();

    [DllImport("libc", EntryPoint = "execve", SetLastError = true)]
    private static extern int Execve([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr[] argv, IntPtr[] envp);
}
