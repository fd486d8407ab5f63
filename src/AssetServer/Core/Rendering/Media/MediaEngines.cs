namespace AssetServer.Rendering.Media;

/// <summary>
/// Which external engines this machine has, found once on <c>PATH</c>: <c>ffprobe</c>/<c>ffmpeg</c> for video and
/// audio, <c>pdfinfo</c>/<c>pdftoppm</c> (poppler) for PDFs, and the sandbox tools (<c>prlimit</c>, <c>unshare</c>).
/// A missing engine leaves its fields null at upload and makes its posters a 400, never a failed start.
/// </summary>
public sealed class MediaEngines
{
    /// <summary>What this machine has, looked up on first use.</summary>
    public static MediaEngines Installed => installed.Value;

    private static readonly Lazy<MediaEngines> installed = new(() => In(Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin"));

    /// <summary>The engines found in <paramref name="folders"/> (colon-separated, as <c>PATH</c>).</summary>
    public static MediaEngines In(string folders) => new(tool => Find(tool, folders));

    public MediaEngines(Func<string, string?> find)
    {
        Ffprobe = find("ffprobe");
        Ffmpeg = find("ffmpeg");
        Pdfinfo = find("pdfinfo");
        Pdftoppm = find("pdftoppm");
        Prlimit = find("prlimit");
        Unshare = find("unshare");
        NoNetwork = Unshare is not null && CanIsolateNetwork(Unshare);
    }

    public string? Ffprobe { get; }
    public string? Ffmpeg { get; }
    public string? Pdfinfo { get; }
    public string? Pdftoppm { get; }
    public string? Prlimit { get; }
    public string? Unshare { get; }

    /// <summary>True when <c>unshare --net</c> works here (root, or unprivileged user namespaces allowed).</summary>
    public bool NoNetwork { get; }

    public bool Video => Ffprobe is not null && Ffmpeg is not null;

    public bool Pdf => Pdfinfo is not null && Pdftoppm is not null;

    /// <summary>True for the MIME types whose posters an engine renders: video/* and PDF.</summary>
    public static bool HasPoster(string mimeType) => IsVideo(mimeType) || IsPdf(mimeType);

    public static bool IsVideo(string mimeType) => Bare(mimeType).StartsWith("video/", StringComparison.Ordinal);

    public static bool IsAudio(string mimeType) => Bare(mimeType).StartsWith("audio/", StringComparison.Ordinal);

    public static bool IsPdf(string mimeType) => Bare(mimeType) == "application/pdf";

    /// <summary>Whether the engine for <paramref name="mimeType"/>'s posters is installed.</summary>
    public bool CanPoster(string mimeType) => IsVideo(mimeType) ? Video : IsPdf(mimeType) && Pdf;

    private static string Bare(string mimeType) => mimeType.Split(';', 2)[0].Trim().ToLowerInvariant();

    private static string? Find(string tool, string folders)
    {
        foreach (var folder in folders.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(folder, tool);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    /// <summary>Containers often forbid namespaces: try once, and run without network isolation only if it fails.</summary>
    private static bool CanIsolateNetwork(string unshare)
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(unshare)
            {
                ArgumentList = { "--net", "--map-root-user", "--", "true" },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            });
            if (process is null) return false;
            if (!process.WaitForExit(5000))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return false;
        }
    }
}
