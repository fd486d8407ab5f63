namespace AssetServer.Rendering.Media;

/// <summary>The <c>Media</c> section: limits on the external engines that read videos, audio and PDFs.</summary>
public sealed class MediaOptions
{
    /// <summary>
    /// Folders (colon-separated) to find <c>ffprobe</c>, <c>ffmpeg</c>, <c>pdfinfo</c>, <c>pdftoppm</c>, <c>prlimit</c> and
    /// <c>unshare</c> in; empty searches <c>PATH</c>. A folder without them turns the media engines off.
    /// </summary>
    public string EnginePath { get; set; } = "";

    /// <summary>How long a probe at upload (<c>ffprobe</c>, <c>pdfinfo</c>) may run before it is killed and the fields stay null.</summary>
    public string ProbeTimeout { get; set; } = "10s";

    /// <summary>Address space an engine process may use, in MiB (<c>prlimit --as</c>).</summary>
    public int MemoryLimitMb { get; set; } = 1024;

    /// <summary>CPU seconds an engine process may use (<c>prlimit --cpu</c>), whatever the wall-clock timeout.</summary>
    public int CpuLimitSeconds { get; set; } = 30;

    /// <summary>Posters are refused for media longer than this (a 10-hour file is a bomb, not a clip).</summary>
    public string MaxDuration { get; set; } = "4h";

    /// <summary>Posters are refused for PDFs with more pages than this.</summary>
    public int MaxPdfPages { get; set; } = 10_000;

    /// <summary>Posters are refused for PDF pages wider or taller than this many points (14,400 pt is the PDF spec's largest page, 200 in).</summary>
    public int MaxPdfPagePoints { get; set; } = 14_400;
}
