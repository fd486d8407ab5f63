using System.Diagnostics;

namespace AssetServer.Tests.Support;

/// <summary>
/// Debian packages a test needs, installed once per test run when missing, so that the README's test command works on
/// a fresh machine by itself (<c>.ci/run</c> installs them ahead too).
/// </summary>
public static class SystemPackages
{
    private static readonly Lazy<string?> Chromium = new(() => Install("/usr/bin/chromium", "chromium"));

    /// <summary>The path of Debian's Chromium, installing the package first if needed; null with the reason when it cannot be.</summary>
    public static (string? Path, string? Problem) EnsureChromium() =>
        Chromium.Value is { } problem ? (null, problem) : ("/usr/bin/chromium", null);

    /// <summary>
    /// Null when <paramref name="path"/> exists (now or after installing the first package apt knows of), else what
    /// went wrong.
    /// </summary>
    public static string? Install(string path, params string[] packages)
    {
        var package = packages[0];
        if (File.Exists(path)) return null;
        if (!File.Exists("/usr/bin/apt-get")) return $"{path} is missing and this machine has no apt-get to install {package}";
        var asRoot = Environment.UserName == "root" ? "" : "sudo -n ";
        var script = $"{asRoot}env DEBIAN_FRONTEND=noninteractive apt-get update -q; " +
                     string.Join(" || ", packages.Select(p => $"{asRoot}env DEBIAN_FRONTEND=noninteractive apt-get install -y -q {p}"));
        using var process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", script])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        var output = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(15)))
        {
            process.Kill(entireProcessTree: true);
            return $"installing {package} took more than 15 minutes";
        }
        return File.Exists(path) ? null : $"{package} could not be installed (apt-get exit {process.ExitCode}): {output.Result.Trim()}";
    }
}
