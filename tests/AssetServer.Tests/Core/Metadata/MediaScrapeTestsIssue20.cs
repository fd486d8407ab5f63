using System.Text.Json.Nodes;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Metadata;

/// <summary>
/// Issue 20: what an upload of a video, an audio file or a PDF tells: the displayed size, the duration in ms (v8:
/// seconds), and the codec, frame rate, bit rate, channels, page count and page size in <c>metadata</c>. A truncated
/// or corrupt file still uploads, with nulls.
/// </summary>
public class MediaScrapeTestsIssue20
{
    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start() => app = new AssetServerApp();

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    private static int? Int(JsonNode? node) => node?.GetValue<int>();

    [Test]
    public async Task H264VideoHasItsSizeDurationAndCodecs()
    {
        var file = await app.UploadOkAsync(MediaFiles.Mp4, "clip.mp4", "video/mp4");

        Assert.That(file["type"]!.GetValue<string>(), Is.EqualTo("video/mp4"));
        Assert.That((Int(file["width"]), Int(file["height"])), Is.EqualTo(((int?)1280, (int?)720)));
        Assert.That(Int(file["duration"]), Is.EqualTo(4000).Within(50));
        var metadata = file["metadata"]!;
        Assert.That(metadata["video"]!["codec"]!.GetValue<string>(), Is.EqualTo("h264"));
        Assert.That(metadata["video"]!["frame_rate"]!.GetValue<double>(), Is.EqualTo(25));
        Assert.That(metadata["audio"]!["codec"]!.GetValue<string>(), Is.EqualTo("aac"));
        Assert.That(Int(metadata["audio"]!["channels"]), Is.EqualTo(1));
        Assert.That(metadata["format"]!["bit_rate"]!.GetValue<long>(), Is.GreaterThan(0));
    }

    [Test]
    public async Task Vp9WebmHasItsSizeAndDuration()
    {
        var file = await app.UploadOkAsync(MediaFiles.Webm, "clip.webm", "video/webm");

        Assert.That(file["type"]!.GetValue<string>(), Is.EqualTo("video/webm"));
        Assert.That((Int(file["width"]), Int(file["height"])), Is.EqualTo(((int?)320, (int?)240)));
        Assert.That(Int(file["duration"]), Is.EqualTo(3000).Within(50));
        Assert.That(file["metadata"]!["video"]!["codec"]!.GetValue<string>(), Is.EqualTo("vp9"));
    }

    [Test]
    public async Task RotatedPhoneVideoHasItsDisplayedSize()
    {
        var file = await app.UploadOkAsync(MediaFiles.RotatedMp4, "phone.mp4", "video/mp4");

        Assert.That((Int(file["width"]), Int(file["height"])), Is.EqualTo(((int?)360, (int?)640)));
        Assert.That(Int(file["metadata"]!["video"]!["rotation"]), Is.EqualTo(90));
        Assert.That(Int(file["duration"]), Is.EqualTo(2000).Within(50));
    }

    [TestCase("tone.mp3", "audio/mpeg", "mp3", 3000)]
    [TestCase("tone.wav", "audio/wav", "pcm_s16le", 2000)]
    public async Task AudioHasItsDurationAndChannelsButNoSize(string name, string type, string codec, int ms)
    {
        var bytes = name.EndsWith(".mp3") ? MediaFiles.Mp3 : MediaFiles.Wav;
        var file = await app.UploadOkAsync(bytes, name, type);

        Assert.That(file["type"]!.GetValue<string>(), Is.EqualTo(type));
        Assert.That(file["width"], Is.Null);
        Assert.That(file["height"], Is.Null);
        Assert.That(Int(file["duration"]), Is.EqualTo(ms).Within(50));
        Assert.That(file["metadata"]!["audio"]!["codec"]!.GetValue<string>(), Is.EqualTo(codec));
        Assert.That(Int(file["metadata"]!["audio"]!["channels"]), Is.EqualTo(2));
    }

    [Test]
    public async Task AnM4aWithACoverPictureIsAudioWithItsDurationAndTheFileItselfAsItsAsset()
    {
        var bytes = MediaFiles.M4aWithCover;
        var file = await app.UploadOkAsync(bytes, "song.m4a", "audio/mp4");

        Assert.That(file["type"]!.GetValue<string>(), Does.StartWith("audio/"));
        // The cover is an attached picture, not a video track: no size, and no video group in the metadata.
        Assert.That(file["width"], Is.Null);
        Assert.That(file["height"], Is.Null);
        Assert.That(Int(file["duration"]), Is.EqualTo(2000).Within(50));
        Assert.That(file["metadata"]!["audio"]!["codec"]!.GetValue<string>(), Is.EqualTo("aac"));
        Assert.That(file["metadata"]!["video"], Is.Null);

        // Audio keeps Directus's behaviour: a transform request answers the file itself.
        using var client = app.AdminClient();
        using var asset = await client.GetAsync($"/assets/{file["id"]}?width=100");
        Assert.That(asset.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
        Assert.That(await asset.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes));
    }

    [Test]
    public async Task PdfHasItsPageCountAndPageSize()
    {
        var file = await app.UploadOkAsync(MediaFiles.Pdf(), "letter.pdf", "application/pdf");

        Assert.That(file["type"]!.GetValue<string>(), Is.EqualTo("application/pdf"));
        var pdf = file["metadata"]!["pdf"]!;
        Assert.That(Int(pdf["pages"]), Is.EqualTo(2));
        Assert.That(pdf["page_width"]!.GetValue<double>(), Is.EqualTo(595.28).Within(0.01));
        Assert.That(pdf["page_height"]!.GetValue<double>(), Is.EqualTo(841.89).Within(0.01));
        // The first page at 72 DPI: the size of its poster when no size is asked for.
        Assert.That((Int(file["width"]), Int(file["height"])), Is.EqualTo(((int?)595, (int?)842)));
        Assert.That(file["duration"], Is.Null);
    }

    private static IEnumerable<TestCaseData> Damaged()
    {
        foreach (var (name, type) in new[] { ("clip.mp4", "video/mp4"), ("clip.webm", "video/webm"), ("tone.mp3", "audio/mpeg"), ("doc.pdf", "application/pdf") })
        {
            yield return new TestCaseData(name, type, true).SetName($"Truncated {name} still uploads");
            yield return new TestCaseData(name, type, false).SetName($"Corrupt {name} still uploads with nulls");
        }
    }

    [TestCaseSource(nameof(Damaged))]
    public async Task DamagedMediaStillUploadsWithNulls(string name, string type, bool truncated)
    {
        var whole = name switch
        {
            "clip.mp4" => MediaFiles.Mp4,
            "clip.webm" => MediaFiles.Webm,
            "tone.mp3" => MediaFiles.Mp3,
            _ => MediaFiles.Pdf(),
        };
        // A cut MP4 loses its index (moov follows the data), a cut PDF its xref; noise after the signature reads as nothing.
        var bytes = truncated ? MediaFiles.Truncated(whole) : MediaFiles.Corrupt(whole);

        var file = await app.UploadOkAsync(bytes, name, type);

        Assert.That(file["filesize"]!.GetValue<long>(), Is.EqualTo(bytes.Length));
        Assert.That(file["type"]!.GetValue<string>(), Is.EqualTo(type));
        // WebM and MP3 keep their headers in front: the first half of one still tells its size, and its duration is
        // estimated. A cut MP4 (index at the end), a cut PDF (xref at the end) and noise tell nothing.
        if (truncated && name is "clip.webm" or "tone.mp3") return;
        Assert.That(file["width"], Is.Null);
        Assert.That(file["height"], Is.Null);
        Assert.That(file["duration"], Is.Null);
    }

    [Test]
    public async Task V8GivesTheDurationInSeconds()
    {
        var file = await app.UploadOkAsync(MediaFiles.Mp4, "clip.mp4", "video/mp4");
        using var client = app.AdminClient();

        var v8 = JsonNode.Parse(await client.GetStringAsync($"/_/files/{file["id"]}"))!["data"]!;

        Assert.That(Int(v8["duration"]), Is.EqualTo(4));
        Assert.That(Int(v8["width"]), Is.EqualTo(1280));
    }
}
