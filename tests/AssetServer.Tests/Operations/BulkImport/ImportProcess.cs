using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace AssetServer.Tests.BulkImport;

/// <summary>
/// <c>dotnet AssetServer.dll import …</c> as a separate process, as an operator runs it from a shell: its output
/// redirected (so plain lines, no bar), its token sources under the test's control, and Ctrl-C sent as a real SIGINT.
/// </summary>
public sealed class ImportProcess : IDisposable
{
    public sealed record Outcome(int ExitCode, string Output, string Error)
    {
        public string[] Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}--- stderr\n{Error}";
    }

    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    private readonly Process process;
    private readonly StringBuilder output = new(), error = new();
    private readonly TaskCompletionSource outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource errorClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The empty data folder made for this run alone, removed with it.</summary>
    private readonly string? ownDataFolder;

    private ImportProcess(IEnumerable<string> args, string? dataPath, IReadOnlyDictionary<string, string>? environment)
    {
        if (dataPath is null) dataPath = ownDataFolder = EmptyDataFolder();
        // Through env(1) with SIGINT at its default, as a shell's foreground job has it: a runner started as a background
        // job (SIGINT ignored, which children inherit and .NET keeps) must not turn Ctrl-C into a no-op. The command is
        // right to honour an inherited "ignore" (nohup, "cmd &" in a script): that is the caller's wish. coreutils ≥ 8.31.
        var start = new ProcessStartInfo("env")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--default-signal=INT");
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "AssetServer.dll"));
        start.ArgumentList.Add("import");
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // Only the sources a test names: never this machine's token or the repository's data folder.
        start.Environment.Remove("ASSETSERVER_TOKEN");
        start.Environment.Remove("ASSETSERVER_Auth__AdminToken");
        start.Environment["ASSETSERVER_Data__Path"] = dataPath;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;

        process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data, outputClosed);
        process.ErrorDataReceived += (_, e) => Append(error, e.Data, errorClosed);
        process.Start();
        AssetServer.Tests.Support.Engines.StopWithTestHost(process.Id);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Starts the command; <paramref name="dataPath"/> is where it would look for the admin-token file.</summary>
    public static ImportProcess Start(IEnumerable<string> args, string? dataPath = null, IReadOnlyDictionary<string, string>? environment = null) =>
        new(args, dataPath, environment);

    /// <summary>Runs the command to its end.</summary>
    public static async Task<Outcome> RunAsync(IEnumerable<string> args, string? dataPath = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var run = Start(args, dataPath, environment);
        return await run.WaitAsync();
    }

    /// <summary>An empty data folder of its own, so no admin-token file is found unless a test writes one.</summary>
    public static string EmptyDataFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "assetserver-tests", "import-data-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Ctrl-C, as a terminal sends it.</summary>
    public void Interrupt()
    {
        const int sigint = 2;
        if (kill(process.Id, sigint) != 0) throw new InvalidOperationException($"kill failed: {Marshal.GetLastPInvokeError()}");
    }

    public async Task<Outcome> WaitAsync()
    {
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            await Task.WhenAll(outputClosed.Task, errorClosed.Task).WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"import did not exit within {Limit.TotalSeconds} s:\n{Snapshot()}");
        }
        return Snapshot();
    }

    private Outcome Snapshot()
    {
        lock (output)
        lock (error)
            return new Outcome(process.HasExited ? process.ExitCode : -1, output.ToString(), error.ToString());
    }

    private void Append(StringBuilder to, string? line, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }
        lock (to) to.AppendLine(line);
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.Dispose();
        if (ownDataFolder is not null) Directory.Delete(ownDataFolder, recursive: true);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
