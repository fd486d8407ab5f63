using System.Diagnostics;

namespace AssetServer.Tests.Support;

/// <summary>
/// The server's command line (<c>dotnet AssetServer.dll tokens …</c>) as a separate process on a data folder, the
/// way an operator runs it from a shell while a server may be running on the same folder.
/// </summary>
public static class ServerCli
{
    public sealed record Outcome(int ExitCode, string Output, string Error);

    public static async Task<Outcome> RunAsync(string dataPath, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "AssetServer.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["ASSETSERVER_Data__Path"] = dataPath;
        foreach (var (key, value) in TestDatabase.SettingsFor(dataPath)) start.Environment["ASSETSERVER_" + key.Replace(":", "__")] = value;
        start.Environment["ASSETSERVER_Auth__AdminToken"] = AssetServerApp.AdminToken;
        start.Environment["ASSETSERVER_Logging__LogLevel__Default"] = "Warning";

        using var process = Process.Start(start)!;
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
            throw new TimeoutException($"`{string.Join(' ', args)}` did not exit within 60 s");
        }
        return new Outcome(process.ExitCode, await output, await error);
    }
}
