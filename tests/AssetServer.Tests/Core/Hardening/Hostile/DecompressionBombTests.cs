using System.Buffers.Binary;
using AssetServer.Tests.Metadata;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Hardening.Hostile;

/// <summary>
/// Small files whose headers declare enormous images. Uploading them is fine (they are valid, tiny files and only
/// their headers are read); a transform is refused from the header alone with ILLEGAL_ASSET_TRANSFORMATION, before
/// libvips allocates anything, and the server goes on rendering.
/// </summary>
public class DecompressionBombTests
{
    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start() => app = new AssetServerApp();

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    [Test]
    public async Task PngDeclaring50000SquaredUploadsWithItsSizeButIsNeverDecoded()
    {
        var bytes = await File.ReadAllBytesAsync(Fixtures.Path("bomb_50000x50000.png"));
        var rows = await app.RowCountAsync();
        var file = await app.UploadOkAsync(bytes, "bomb.png", "image/png");
        Assert.That(file["type"]!.GetValue<string>(), Is.EqualTo("image/png"));
        Assert.That(file["width"]!.GetValue<int>(), Is.EqualTo(50000));
        Assert.That(file["height"]!.GetValue<int>(), Is.EqualTo(50000));
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows + 1));
        var id = file["id"]!.GetValue<string>();

        using var client = HostileKit.Client(app);
        foreach (var query in new[] { "width=100", "width=100&format=png", "height=10&fit=inside", "transforms=[[\"grayscale\"]]", "format=webp" })
        {
            using var res = await client.GetAsync($"/assets/{id}?{query}");
            await HostileKit.AssertLimitRefusalAsync(res);
        }

        HostileKit.AssertNoDerivatives(app, id);
        HostileKit.AssertNoTempFiles(app);
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows + 1));
        await HostileKit.AssertHealthyAsync(app);
    }

    [Test]
    public async Task PngBombWithoutStoredSizeIsStillRefusedByTheRenderer()
    {
        // The parser checks the stored width/height; the renderer must check the header again (a JSON-made or
        // patched row may lack them), here proven by a row whose size was never recorded.
        var bytes = await File.ReadAllBytesAsync(Fixtures.Path("bomb_50000x50000.png"));
        var file = await app.UploadOkAsync(bytes, "bomb-nosize.png", "image/png");
        var id = file["id"]!.GetValue<string>();
        await using (var connection = await app.Service<AssetServer.Data.Database>().OpenAsync())
            Assert.That(await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE files SET width = NULL, height = NULL WHERE id = @id", new { id }), Is.EqualTo(1));

        using var client = HostileKit.Client(app);
        using var res = await client.GetAsync($"/assets/{id}?width=100");
        await HostileKit.AssertLimitRefusalAsync(res);
        HostileKit.AssertNoDerivatives(app, id);
        HostileKit.AssertNoTempFiles(app);
        await HostileKit.AssertHealthyAsync(app);
    }

    [Test]
    public async Task JpegWhoseSofDeclares60000SquaredIsRefusedNot500()
    {
        var bytes = JpegDeclaring(60000, 60000);
        var rows = await app.RowCountAsync();
        using var upload = await app.UploadAsync(bytes, "sof-bomb.jpg", "image/jpeg");
        var uploadText = await upload.Content.ReadAsStringAsync();
        Assert.That((int)upload.StatusCode, Is.EqualTo(200), uploadText);
        var file = System.Text.Json.Nodes.JsonNode.Parse(uploadText)!["data"]!;
        Assert.That(file["type"]!.GetValue<string>(), Is.EqualTo("image/jpeg"));
        Assert.That(file["width"]?.GetValue<int>(), Is.EqualTo(60000));
        Assert.That(file["height"]?.GetValue<int>(), Is.EqualTo(60000));
        var id = file["id"]!.GetValue<string>();

        using var client = HostileKit.Client(app);
        foreach (var query in new[] { "width=100", "width=100&format=png", "transforms=[[\"rotate\",90]]" })
        {
            using var res = await client.GetAsync($"/assets/{id}?{query}");
            await HostileKit.AssertLimitRefusalAsync(res);
        }

        HostileKit.AssertNoDerivatives(app, id);
        HostileKit.AssertNoTempFiles(app);
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows + 1));
        await HostileKit.AssertHealthyAsync(app);
    }

    [Test]
    public async Task JpegSofBombPastMaxInputPixelsButUnderMaxDimensionIsRefused()
    {
        // MaxDimension raised so only the pixel budget stands between the header and a 3.6 GP decode.
        using var roomy = new AssetServerApp(("Assets:MaxDimension", "65535"));
        var file = await roomy.UploadOkAsync(JpegDeclaring(60000, 60000), "sof-bomb.jpg", "image/jpeg");
        var id = file["id"]!.GetValue<string>();

        using var client = HostileKit.Client(roomy);
        using var res = await client.GetAsync($"/assets/{id}?width=100");
        await HostileKit.AssertLimitRefusalAsync(res);
        HostileKit.AssertNoDerivatives(roomy, id);
        HostileKit.AssertNoTempFiles(roomy);
        await HostileKit.AssertHealthyAsync(roomy);
    }

    [Test]
    public async Task GifWith3000FramesCountsEveryFrameAgainstMaxInputPixels()
    {
        // 3000 frames of 16×16 = 768 000 pixels once every frame is decoded; one frame is only 256.
        using var strict = new AssetServerApp(("Assets:MaxInputPixels", "100000"));
        var bytes = AnimatedGif(16, 16, 3000);
        var rows = await strict.RowCountAsync();
        var file = await strict.UploadOkAsync(bytes, "frames.gif", "image/gif");
        Assert.That(file["type"]!.GetValue<string>(), Is.EqualTo("image/gif"));
        Assert.That(file["width"]!.GetValue<int>(), Is.EqualTo(16));
        Assert.That(file["height"]!.GetValue<int>(), Is.EqualTo(16), "height is one frame's, not the whole strip's");
        Assert.That(await strict.RowCountAsync(), Is.EqualTo(rows + 1));
        var id = file["id"]!.GetValue<string>();

        using var client = HostileKit.Client(strict);
        // GIF and WebP output keep every frame, so all 3000 count.
        foreach (var query in new[] { "width=8", "width=8&format=gif", "width=8&format=webp" })
        {
            using var res = await client.GetAsync($"/assets/{id}?{query}");
            await HostileKit.AssertLimitRefusalAsync(res);
        }
        HostileKit.AssertNoDerivatives(strict, id);

        // PNG output takes the first frame only: within the limits, so it may render, but never a 5xx.
        using (var still = await client.GetAsync($"/assets/{id}?width=8&format=png"))
        {
            var body = await still.Content.ReadAsByteArrayAsync();
            if ((int)still.StatusCode == 200)
                Assert.That(TestImages.SizeOf(body), Is.EqualTo((8, 8)));
            else
                await HostileKit.AssertBadRequestAsync(still, "ILLEGAL_ASSET_TRANSFORMATION");
        }

        HostileKit.AssertDerivativesComplete(strict, id, atMost: 1);
        HostileKit.AssertNoTempFiles(strict);
        Assert.That(await strict.RowCountAsync(), Is.EqualTo(rows + 1));
        await HostileKit.AssertHealthyAsync(strict);
    }

    [Test]
    public async Task GifWith3000FramesIsRefusedPastMaxFramesButItsFirstFrameRenders()
    {
        var file = await app.UploadOkAsync(AnimatedGif(16, 16, 3000), "frames-default.gif", "image/gif");
        var id = file["id"]!.GetValue<string>();
        using var client = HostileKit.Client(app);
        // 768 000 pixels in all is under the pixel budget, but 3000 frames is past Assets:MaxFrames (1000):
        // an animated output is refused before any frame is decoded; a still output takes the first frame.
        foreach (var query in new[] { "width=8", "width=8&format=webp" })
        {
            using var res = await client.GetAsync($"/assets/{id}?{query}");
            await HostileKit.AssertLimitRefusalAsync(res);
        }
        using var still = await client.GetAsync($"/assets/{id}?width=8&format=png");
        Assert.That((int)still.StatusCode, Is.EqualTo(200));
        Assert.That(TestImages.SizeOf(await still.Content.ReadAsByteArrayAsync()), Is.EqualTo((8, 8)));
        HostileKit.AssertDerivativesComplete(app, id, atMost: 1);
        HostileKit.AssertNoTempFiles(app);
        await HostileKit.AssertHealthyAsync(app);
    }

    /// <summary>A real baseline JPEG whose SOF0 frame header is patched to declare <paramref name="width"/>×<paramref name="height"/>.</summary>
    internal static byte[] JpegDeclaring(int width, int height)
    {
        var bytes = TestImages.Jpeg(32, 24);
        for (var i = 2; i + 9 < bytes.Length;)
        {
            Assert.That(bytes[i], Is.EqualTo(0xFF), "JPEG marker expected");
            var marker = bytes[i + 1];
            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(i + 2));
            if (marker == 0xC0)
            {
                // SOF0: length(2) precision(1) height(2) width(2).
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(i + 5), (ushort)height);
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(i + 7), (ushort)width);
                return bytes;
            }
            i += 2 + length;
        }
        throw new InvalidOperationException("no SOF0 marker in the generated JPEG");
    }

    /// <summary>
    /// A looping GIF89a of <paramref name="frames"/> solid frames, written by hand: a 2-colour global table and,
    /// per frame, a graphic control extension, an image descriptor and LZW data that sends a clear code before every
    /// pixel so the code width stays at 3 bits.
    /// </summary>
    internal static byte[] AnimatedGif(int width, int height, int frames)
    {
        using var gif = new MemoryStream();
        gif.Write("GIF89a"u8);
        WriteLe16(gif, width);
        WriteLe16(gif, height);
        gif.Write([0x80, 0, 0]); // global colour table of 2 entries, background 0, no aspect
        gif.Write([0, 0, 0, 255, 255, 255]);
        gif.Write([0x21, 0xFF, 0x0B]);
        gif.Write("NETSCAPE2.0"u8);
        gif.Write([3, 1, 0, 0, 0]); // loop forever

        // Frames alternate black and white: identical neighbours could be merged by an encoder.
        byte[][] lzw = [LzwSolid(width * height, 0), LzwSolid(width * height, 1)];
        for (var frame = 0; frame < frames; frame++)
        {
            gif.Write([0x21, 0xF9, 4, 0, 2, 0, 0, 0]); // 20 ms delay
            gif.WriteByte(0x2C);
            WriteLe16(gif, 0);
            WriteLe16(gif, 0);
            WriteLe16(gif, width);
            WriteLe16(gif, height);
            gif.WriteByte(0);
            gif.WriteByte(2); // LZW minimum code size
            var data = lzw[frame % 2];
            for (var offset = 0; offset < data.Length; offset += 255)
            {
                var count = Math.Min(255, data.Length - offset);
                gif.WriteByte((byte)count);
                gif.Write(data, offset, count);
            }
            gif.WriteByte(0);
        }
        gif.WriteByte(0x3B);
        return gif.ToArray();
    }

    private static byte[] LzwSolid(int pixels, int index)
    {
        const int clear = 4, end = 5, bits = 3;
        var codes = new List<int>();
        for (var i = 0; i < pixels; i++)
        {
            codes.Add(clear);
            codes.Add(index);
        }
        codes.Add(end);
        var output = new List<byte>();
        int buffer = 0, filled = 0;
        foreach (var code in codes)
        {
            buffer |= code << filled;
            filled += bits;
            while (filled >= 8)
            {
                output.Add((byte)(buffer & 0xFF));
                buffer >>= 8;
                filled -= 8;
            }
        }
        if (filled > 0) output.Add((byte)buffer);
        return output.ToArray();
    }

    private static void WriteLe16(Stream stream, int value)
    {
        stream.WriteByte((byte)(value & 0xFF));
        stream.WriteByte((byte)(value >> 8));
    }
}
