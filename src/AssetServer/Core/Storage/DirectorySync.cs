using System.Runtime.InteropServices;

namespace AssetServer.Storage;

/// <summary>
/// Makes a rename survive a power loss. POSIX puts a new directory entry on disk only when the directory itself is
/// fsynced (fsync(2): "an explicit fsync() on a file descriptor for the directory is also needed"), so a file whose
/// bytes were flushed can still vanish with its rename. .NET cannot open a directory as a file, hence open(2) +
/// fsync(2) + close(2). Windows is skipped: NTFS journals the rename itself.
/// </summary>
public static class DirectorySync
{
    private const int OpenReadOnly = 0;

    /// <summary>O_CLOEXEC on Linux (every architecture .NET runs on): a process started meanwhile inherits nothing.</summary>
    private const int LinuxCloseOnExec = 0x80000;

    private const int Interrupted = 4; // EINTR
    private const int NoSuchEntry = 2; // ENOENT

    /// <summary>
    /// fsyncs <paramref name="directory"/>, so the entries renamed into it so far are on disk. Throws
    /// <see cref="DirectoryNotFoundException"/> when it is gone, <see cref="IOException"/> when the disk refuses.
    /// </summary>
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        var flags = OpenReadOnly | (OperatingSystem.IsLinux() ? LinuxCloseOnExec : 0);
        int descriptor;
        do descriptor = Open(directory, flags);
        while (descriptor < 0 && Marshal.GetLastPInvokeError() == Interrupted);
        if (descriptor < 0)
        {
            var error = Marshal.GetLastPInvokeError();
            if (error == NoSuchEntry) throw new DirectoryNotFoundException($"Could not sync \"{directory}\": it is gone.");
            throw new IOException($"Could not open \"{directory}\" to sync it: {Marshal.GetPInvokeErrorMessage(error)}.");
        }
        try
        {
            int result;
            do result = Fsync(descriptor);
            while (result != 0 && Marshal.GetLastPInvokeError() == Interrupted);
            if (result != 0)
                throw new IOException($"Could not sync \"{directory}\": {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
        }
        finally
        {
            Close(descriptor);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int descriptor);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int descriptor);
}
