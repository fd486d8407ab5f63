using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace AssetServer.Tests.Support;

/// <summary>
/// The real server as a separate process on a loopback port, so a test can kill it with SIGKILL
/// (as a crash or power cut would) and start it again on the same data folder.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process process;

    private readonly System.Text.StringBuilder log;

    private ServerProcess(Process process, Uri baseAddress, System.Text.StringBuilder log)
    {
        this.process = process;
        this.log = log;
        BaseAddress = baseAddress;
    }

    /// <summary>Everything the server wrote to stdout and stderr so far.</summary>
    public string Log
    {
        get { lock (log) return log.ToString(); }
    }

    public Uri BaseAddress { get; }

    /// <summary>The PID the test started; the server keeps it across its arena re-exec (Server/MallocArenaLimit.cs).</summary>
    public int ProcessId => process.Id;

    /// <summary>The server's resident memory now (VmRSS), from the kernel's own counters.</summary>
    public long ResidentBytes => StatusBytes("VmRSS:");

    /// <summary>The most resident memory the server ever had (VmHWM), so a spike between two looks is not missed.</summary>
    public long PeakResidentBytes => StatusBytes("VmHWM:");

    private long StatusBytes(string field)
    {
        var line = File.ReadLines($"/proc/{process.Id}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0]) * 1024;
    }

    /// <summary>The server's process id (what a refused second server names).</summary>
    public int Id => process.Id;

    public static Task<ServerProcess> StartAsync(string dataPath, params (string Key, string Value)[] settings) =>
        StartWithEnvironmentAsync(dataPath, new Dictionary<string, string?>(), settings);

    /// <summary>
    /// As <see cref="StartAsync"/>, with other environment variables set as given (null: removed). Without one,
    /// <c>MALLOC_ARENA_MAX</c> is removed, so the server starts as a plain deployment would.
    /// </summary>
    public static async Task<ServerProcess> StartWithEnvironmentAsync(
        string dataPath, IReadOnlyDictionary<string, string?> environment, params (string Key, string Value)[] settings)
    {
        var port = FreePort();
        var start = StartInfo(dataPath, port, settings);
        foreach (var (key, value) in environment)
        {
            if (value is null) start.Environment.Remove(key);
            else start.Environment[key] = value;
        }
        var process = Process.Start(start)!;
        Engines.StopWithTestHost(process.Id);
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}"), log);
        using var probe = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (process.HasExited) throw new InvalidOperationException($"The server exited at start:\n{log}");
            try
            {
                if ((await probe.GetAsync("/server/ping")).StatusCode == HttpStatusCode.OK) return server;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet, or too slow to answer on a loaded machine
            }
            await Task.Delay(100);
        }
        server.Dispose();
        throw new TimeoutException($"The server did not answer within 30 s:\n{log}");
    }

    /// <summary>
    /// Starts a server that is expected to refuse to start, and waits (up to 60 s) for it to exit: its exit code and
    /// everything it wrote. One that starts after all is killed at the deadline and reported as a timeout.
    /// </summary>
    public static async Task<(int ExitCode, string Log)> StartExpectingExitAsync(string dataPath, params (string Key, string Value)[] settings)
    {
        using var process = Process.Start(StartInfo(dataPath, FreePort(), settings))!;
        Engines.StopWithTestHost(process.Id);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The server did not exit within 60 s:\n{await output}{await error}");
        }
        return (process.ExitCode, await output + await error);
    }

    private static ProcessStartInfo StartInfo(string dataPath, int port, (string Key, string Value)[] settings)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "AssetServer.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--urls", $"http://127.0.0.1:{port}" },
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASSETSERVER_Data__Path"] = dataPath;
        foreach (var (key, value) in TestDatabase.SettingsFor(dataPath)) start.Environment["ASSETSERVER_" + key.Replace(":", "__")] = value;
        start.Environment["ASSETSERVER_Auth__AdminToken"] = AssetServerApp.AdminToken;
        start.Environment["ASSETSERVER_Logging__LogLevel__Default"] = "Warning";
        start.Environment["ASSETSERVER_RateLimits__UploadsPerMinute"] = "0";
        foreach (var (key, value) in TestStorage.Settings(dataPath).Concat(settings)) start.Environment["ASSETSERVER_" + key.Replace(":", "__")] = value;
        start.Environment.Remove("MALLOC_ARENA_MAX"); // a plain deployment's start: the server sets its own arena count
        return start;
    }

    public HttpClient AdminClient()
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AssetServerApp.AdminToken);
        return client;
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash.</summary>
    public void Kill()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit(10000);
    }

    public void Dispose()
    {
        Kill();
        process.Dispose();
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
