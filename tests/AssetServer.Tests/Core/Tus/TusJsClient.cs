using System.Diagnostics;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Tus;

/// <summary>
/// The real tus client, npm's <c>tus-js-client</c> (pinned in <c>tus-client/package-lock.json</c>), run by node from
/// the repository's <c>tus-client</c> folder. Installed with <c>npm ci</c> the first time a run needs it and it is
/// missing (from the npm registry only); two suites running at once install it once, under a lock file.
/// </summary>
internal static class TusJsClient
{
    private static readonly string Folder = Path.Combine(Engines.RepositoryRoot(), "tests", "AssetServer.Tests", "Core", "Tus", "tus-client");

    private static readonly Lazy<string?> Installed = new(Install);

    /// <summary>Null when ready, else why not (the test fails with it).</summary>
    public static string? EnsureInstalled() => Installed.Value;

    private static string? Install()
    {
        if (SystemPackages.Install("/usr/bin/node", "nodejs") is { } noNode) return noNode;
        if (SystemPackages.Install("/usr/bin/npm", "npm") is { } noNpm) return noNpm;
        var marker = Path.Combine(Folder, "node_modules", "tus-js-client", "package.json");
        using var gate = TakeInstallLock();
        if (File.Exists(marker)) return null;
        var (exit, output) = Run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], TimeSpan.FromMinutes(5));
        return exit == 0 && File.Exists(marker) ? null : $"npm ci in {Folder} failed ({exit}): {output}";
    }

    /// <summary>
    /// The machine-wide install lock: an exclusive open of one file (flock on Linux), which fails at once while another
    /// process holds it, so it is tried again until that one is done.
    /// </summary>
    private static FileStream TakeInstallLock()
    {
        var path = Path.Combine(Path.GetTempPath(), "assetserver-tus-client.lock");
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 3000)
            {
                Thread.Sleep(100);
            }
        }
    }

    /// <summary>
    /// Runs <c>upload.mjs</c>: uploads <paramref name="file"/> in <paramref name="chunkBytes"/> chunks, stopping once
    /// <paramref name="stopAfter"/> bytes are accepted (0: to the end), resuming at <paramref name="uploadUrl"/> if given.
    /// Returns the script's JSON line.
    /// </summary>
    public static JsonObject Upload(Uri server, string file, int chunkBytes, long stopAfter, string? uploadUrl = null)
    {
        string[] arguments = ["upload.mjs", new Uri(server, "/files/tus").ToString(), AssetServerApp.AdminToken, file, $"{chunkBytes}", $"{stopAfter}", uploadUrl ?? ""];
        var (exit, output) = Run("node", arguments, TimeSpan.FromMinutes(2));
        Assert.That(exit, Is.Zero, output);
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last(l => l.StartsWith('{'));
        return JsonNode.Parse(line)!.AsObject();
    }

    private static (int Exit, string Output) Run(string program, string[] arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{program} did not finish within {timeout}: {output}{error.Result}");
        }
        return (process.ExitCode, output + error.Result);
    }
}
