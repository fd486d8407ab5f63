using System.Diagnostics;

namespace AssetServer.Tests.Support;

/// <summary>
/// Issue 20's real files, made once per test run: videos and audio by ffmpeg from its test sources
/// (<c>-f lavfi testsrc</c>, <c>sine</c>), PDFs written by hand (a few objects and an xref table), so every
/// size and duration a test asserts is the one asked for here. ffmpeg and poppler-utils are installed when missing.
/// </summary>
public static class MediaFiles
{
    private static readonly string Folder = Directory.CreateTempSubdirectory("assetserver-media-").FullName;
    private static readonly Dictionary<string, Lazy<byte[]>> Made = new();

    static MediaFiles()
    {
        Assert.That(SystemPackages.Install("/usr/bin/ffmpeg", "ffmpeg"), Is.Null);
        Assert.That(SystemPackages.Install("/usr/bin/pdftoppm", "poppler-utils"), Is.Null);
    }

    /// <summary>1280×720, 4 s, 25 fps H.264 with a mono AAC track.</summary>
    public static byte[] Mp4 => Make("h264.mp4",
        "-f lavfi -i testsrc=size=1280x720:rate=25:duration=4 -f lavfi -i sine=frequency=440:duration=4 " +
        "-c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest");

    /// <summary>320×240, 3 s VP9 WebM.</summary>
    public static byte[] Webm => Make("vp9.webm",
        "-f lavfi -i testsrc=size=320x240:rate=25:duration=3 -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -b:v 200k");

    /// <summary>A phone-style video: 640×360 stored, a display matrix turning it 90°, 2 s.</summary>
    public static byte[] RotatedMp4
    {
        get
        {
            var stored = Path.Combine(Folder, "stored.mp4");
            if (!File.Exists(stored))
                File.WriteAllBytes(stored, Make("stored.mp4", "-f lavfi -i testsrc=size=640x360:rate=25:duration=2 -c:v libx264 -preset ultrafast -pix_fmt yuv420p"));
            return Make("rotated.mp4", $"-i {stored} -c copy -metadata:s:v:0 rotate=90");
        }
    }

    /// <summary>3 s of a 440 Hz tone, stereo MP3.</summary>
    public static byte[] Mp3 => Make("tone.mp3", "-f lavfi -i sine=frequency=440:duration=3 -ac 2 -c:a libmp3lame -b:a 128k");

    /// <summary>2 s of a tone, stereo 16-bit WAV.</summary>
    public static byte[] Wav => Make("tone.wav", "-f lavfi -i sine=frequency=440:duration=2 -ac 2 -c:a pcm_s16le");

    /// <summary>2 s of a mono AAC tone in an M4A, with a 300×300 JPEG cover picture (an attached picture, not a video).</summary>
    public static byte[] M4aWithCover => Make("cover.m4a",
        "-f lavfi -i sine=frequency=440:duration=2 -f lavfi -i color=c=red:size=300x300:duration=1 -map 0:a -map 1:v " +
        "-c:a aac -c:v mjpeg -frames:v 1 -disposition:v:0 attached_pic");

    /// <summary>The first half of <paramref name="bytes"/>: a download cut short.</summary>
    public static byte[] Truncated(byte[] bytes) => bytes[..(bytes.Length / 2)];

    /// <summary>The first 64 bytes (the container's signature) followed by noise.</summary>
    public static byte[] Corrupt(byte[] bytes)
    {
        var noise = new byte[Math.Max(4096, bytes.Length / 4)];
        new Random(20).NextBytes(noise);
        return [.. bytes[..64], .. noise];
    }

    /// <summary>A hand-written PDF (<see cref="PdfFiles.Build"/>): A4, two pages, red then green, by default.</summary>
    public static byte[] Pdf(int pages = 2, double width = 595.28, double height = 841.89, int? claimedPages = null) =>
        PdfFiles.Build(pages, width, height, claimedPages);

    private static byte[] Make(string name, string arguments)
    {
        Lazy<byte[]> lazy;
        lock (Made)
        {
            if (!Made.TryGetValue(name, out lazy!))
                Made[name] = lazy = new Lazy<byte[]>(() => Run(name, arguments));
        }
        return lazy.Value;
    }

    private static byte[] Run(string name, string arguments)
    {
        var output = Path.Combine(Folder, name);
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in $"-v error -nostdin -y {arguments} {output}".Split(' ', StringSplitOptions.RemoveEmptyEntries))
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.EqualTo(0), $"ffmpeg {arguments}: {errors.Result}");
        return File.ReadAllBytes(output);
    }
}
