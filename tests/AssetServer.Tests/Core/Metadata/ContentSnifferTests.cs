using System.Text;
using AssetServer.Metadata;
using AssetServer.Tests.Support;
using NetVips;

namespace AssetServer.Tests.Metadata;

public class ContentSnifferTests
{
    private static string Sniff(byte[] bytes, string? fileName = null, string? clientType = null) =>
        ContentSniffer.Sniff(bytes.AsSpan(0, Math.Min(bytes.Length, ContentSniffer.HeadLength)), fileName, clientType);

    private static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Bytes(params int[] values) => values.Select(v => (byte)v).ToArray();

    private static byte[] IsoMedia(string majorBrand, params string[] compatible)
    {
        var box = new List<byte>();
        var size = 16 + 4 * compatible.Length;
        box.AddRange([0, 0, 0, (byte)size]);
        box.AddRange(Encoding.ASCII.GetBytes("ftyp" + majorBrand));
        box.AddRange([0, 0, 0, 0]);
        foreach (var brand in compatible)
        {
            box.AddRange(Encoding.ASCII.GetBytes(brand));
        }

        box.AddRange(new byte[32]);
        return box.ToArray();
    }

    private static readonly TestCaseData[] EncodedImages =
    [
        new TestCaseData((Func<byte[]>)(() => TestImages.Jpeg(32, 24)), "image/jpeg").SetName("JPEG from libvips"),
        new TestCaseData((Func<byte[]>)(() => TestImages.Png(32, 24)), "image/png").SetName("PNG from libvips"),
        new TestCaseData((Func<byte[]>)(() => TestImages.Gif(32, 24)), "image/gif").SetName("GIF from libvips"),
        new TestCaseData((Func<byte[]>)(() => TestImages.Webp(32, 24)), "image/webp").SetName("WebP from libvips"),
        new TestCaseData((Func<byte[]>)(() => TestImages.Tiff(32, 24)), "image/tiff").SetName("TIFF from libvips"),
        new TestCaseData((Func<byte[]>)(() => TestImages.Gradient(32, 24).HeifsaveBuffer(compression: Enums.ForeignHeifCompression.Av1)), "image/avif").SetName("AVIF from libvips"),
    ];

    [TestCaseSource(nameof(EncodedImages))]
    public void RealImagesAreRecognisedByTheirBytes(Func<byte[]> encode, string expected)
    {
        var bytes = encode();

        Assert.That(Sniff(bytes, "upload.bin", "application/octet-stream"), Is.EqualTo(expected));
    }

    private static readonly TestCaseData[] Signatures =
    [
        new TestCaseData(IsoMedia("heic", "mif1", "heic"), "image/heic").SetName("HEIC brand"),
        new TestCaseData(IsoMedia("mif1", "heic"), "image/heic").SetName("mif1 with heic compatible"),
        new TestCaseData(IsoMedia("mif1", "miaf"), "image/heif").SetName("plain HEIF"),
        new TestCaseData(IsoMedia("mif1", "avif", "miaf"), "image/avif").SetName("mif1 with avif compatible"),
        new TestCaseData(IsoMedia("isom", "isom", "iso2", "avc1", "mp41"), "video/mp4").SetName("MP4"),
        new TestCaseData(IsoMedia("mp42", "mp42", "isom"), "video/mp4").SetName("MP4 mp42"),
        new TestCaseData(IsoMedia("qt  ", "qt  "), "video/quicktime").SetName("MOV"),
        new TestCaseData(IsoMedia("M4A ", "M4A ", "mp42"), "audio/mp4").SetName("M4A"),
        new TestCaseData(Bytes(0x49, 0x49, 0x2A, 0, 8, 0, 0, 0), "image/tiff").SetName("TIFF little-endian"),
        new TestCaseData(Bytes(0x4D, 0x4D, 0, 0x2A, 0, 0, 0, 8), "image/tiff").SetName("TIFF big-endian"),
        new TestCaseData(Bytes(0x42, 0x4D, 0x46, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0, 0x28, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0), "image/bmp").SetName("BMP"),
        new TestCaseData(Bytes(0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0, 0x68, 4, 0, 0, 0x16, 0, 0, 0), "image/x-icon").SetName("ICO"),
        new TestCaseData(Text("%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n<<>>\nendobj\n"), "application/pdf").SetName("PDF"),
        new TestCaseData(Bytes(0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 1, 0x42, 0x82, 0x84, 0x77, 0x65, 0x62, 0x6D), "video/webm").SetName("WebM"),
        new TestCaseData(Bytes(0x1A, 0x45, 0xDF, 0xA3, 0xA3, 0x42, 0x86, 0x81, 1, 0x42, 0x82, 0x88, 0x6D, 0x61, 0x74, 0x72, 0x6F, 0x73, 0x6B, 0x61), "video/x-matroska").SetName("Matroska"),
        new TestCaseData(Bytes(0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 0x21, 0x54, 0x49, 0x54, 0x32), "audio/mpeg").SetName("MP3 with ID3"),
        new TestCaseData(Bytes(0xFF, 0xFB, 0x90, 0x64, 0, 0, 0, 0), "audio/mpeg").SetName("MP3 frame"),
        new TestCaseData(Text("RIFF\u0024\0\0\0WAVEfmt \u0010\0\0\0"), "audio/wav").SetName("WAV"),
        new TestCaseData(Text("OggS\0\u0002\0\0\0\0\0\0\0\0\u0001vorbis"), "audio/ogg").SetName("Ogg"),
        new TestCaseData(Text("fLaC\0\0\0\u0022"), "audio/flac").SetName("FLAC"),
        new TestCaseData(Bytes(0x50, 0x4B, 3, 4, 20, 0, 0, 0, 8, 0), "application/zip").SetName("ZIP"),
        new TestCaseData(Bytes(0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3), "application/gzip").SetName("GZIP"),
        new TestCaseData(Bytes(0x00, 0x01, 0x02, 0x03, 0xFE, 0x00, 0x10), "application/octet-stream").SetName("unknown binary"),
        new TestCaseData(Text("<?xml version=\"1.0\"?>\n<!-- made by hand -->\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x\">\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), "image/svg+xml").SetName("SVG with prolog"),
        new TestCaseData(Text("\uFEFF<svg width=\"10\" height=\"10\"><rect/></svg>"), "image/svg+xml").SetName("SVG with BOM"),
        new TestCaseData(Text("<!DOCTYPE html><html><body>hi</body></html>"), "text/html").SetName("HTML doctype"),
        new TestCaseData(Text("  <script>alert(1)</script>"), "text/html").SetName("HTML script"),
        new TestCaseData(Text("<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><script>alert(1)</script></html>"), "text/html").SetName("XHTML"),
        new TestCaseData(Text("<?xml version=\"1.0\"?><feed><title>x</title></feed>"), "application/xml").SetName("XML"),
        new TestCaseData(Text("{\"a\": [1, 2, {\"b\": null}]}"), "application/json").SetName("JSON object"),
        new TestCaseData(Text("[1, 2, 3]"), "application/json").SetName("JSON array"),
        new TestCaseData(Text("{not json at all}"), "text/plain").SetName("brace text"),
        new TestCaseData(Text("hello, world\nsecond line — ünïcödé\n"), "text/plain").SetName("UTF-8 text"),
        new TestCaseData(Text("<3 apples and pears"), "text/plain").SetName("angle bracket text"),
        new TestCaseData(Text("BM is not a bitmap just because it starts so"), "text/plain").SetName("text starting with BM"),
        new TestCaseData(Bytes(0x68, 0x69, 0x00, 0x68, 0x69), "application/octet-stream").SetName("text with NUL"),
        new TestCaseData(Bytes(0x68, 0xC3, 0x28, 0x69), "application/octet-stream").SetName("invalid UTF-8"),
    ];

    [TestCaseSource(nameof(Signatures))]
    public void SignaturesDecideTheType(byte[] bytes, string expected) =>
        Assert.That(Sniff(bytes, "upload", null), Is.EqualTo(expected));

    [Test]
    public void HtmlNamedJpgIsHtml() =>
        Assert.That(Sniff(Text("<html><img src=x onerror=alert(1)></html>"), "cat.jpg", "image/jpeg"), Is.EqualTo("text/html"));

    [Test]
    public void ClientClaimingPngForTextGetsPlainText() =>
        Assert.That(Sniff(Text("just some words"), "cat.png", "image/png"), Is.EqualTo("text/plain"));

    [Test]
    public void ClientCannotTurnAJpegIntoSomethingElse() =>
        Assert.That(Sniff(TestImages.Jpeg(8, 8), "x.txt", "text/plain"), Is.EqualTo("image/jpeg"));

    [TestCase("text/csv", "text/csv")]
    [TestCase("text/markdown; charset=utf-8", "text/markdown")]
    [TestCase("application/json", "application/json")]
    [TestCase("text/html", "text/plain")]
    [TestCase("image/svg+xml", "text/plain")]
    [TestCase("application/javascript", "text/plain")]
    public void OnlySafeClientTypesRefinePlainText(string clientType, string expected) =>
        Assert.That(Sniff(Text("a,b\n1,2\n"), "data", clientType), Is.EqualTo(expected));

    [TestCase("table.csv", "text/csv")]
    [TestCase("README.md", "text/markdown")]
    [TestCase("notes.txt", "text/plain")]
    [TestCase("page.html", "text/plain")]
    public void ExtensionRefinesPlainTextWhenTheClientSentOctetStream(string fileName, string expected) =>
        Assert.That(Sniff(Text("a,b\n1,2\n"), fileName, "application/octet-stream"), Is.EqualTo(expected));

    [Test]
    public void MultiByteCharacterCutByTheHeadIsStillText()
    {
        var bytes = Text(new string('a', ContentSniffer.HeadLength - 1) + "é and more");

        Assert.That(Sniff(bytes), Is.EqualTo("text/plain"));
    }

    [Test]
    public void JsonCutByTheHeadIsStillJson()
    {
        var bytes = Text("[" + string.Join(",", Enumerable.Range(0, 5000)) + "]");

        Assert.That(Sniff(bytes), Is.EqualTo("application/json"));
    }

    [TestCase("image/jpeg", "jpg")]
    [TestCase("image/png", "png")]
    [TestCase("image/gif", "gif")]
    [TestCase("image/webp", "webp")]
    [TestCase("image/avif", "avif")]
    [TestCase("image/heic", "heic")]
    [TestCase("image/tiff", "tif")]
    [TestCase("image/svg+xml", "svg")]
    [TestCase("application/pdf", "pdf")]
    [TestCase("text/plain", "txt")]
    [TestCase("text/plain; charset=utf-8", "txt")]
    [TestCase("TEXT/HTML", "html")]
    [TestCase("video/mp4", "mp4")]
    [TestCase("video/quicktime", "mov")]
    [TestCase("audio/mpeg", "mp3")]
    [TestCase("application/octet-stream", "bin")]
    [TestCase("application/x-unheard-of", "bin")]
    public void ExtensionForMimeType(string mimeType, string extension) =>
        Assert.That(ContentSniffer.ExtensionFor(mimeType), Is.EqualTo(extension));
}
