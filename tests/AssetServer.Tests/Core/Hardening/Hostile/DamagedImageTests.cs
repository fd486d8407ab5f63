using System.Net;
using AssetServer.Tests.Support;
using NetVips;

namespace AssetServer.Tests.Hardening.Hostile;

/// <summary>
/// Every format the pipeline decodes, damaged three ways (cut in half, bytes flipped in the middle, the right magic
/// followed by garbage and zero padding). The upload succeeds or is a clean 4xx; a transform is a 200 when libvips
/// can still decode it, the original when the bytes no longer look transformable, or a 4xx in the error shape —
/// never a 5xx, never a partial derivative, never a leftover temp file.
/// </summary>
public class DamagedImageTests
{
    public enum Damage { TruncatedToHalf, BytesFlippedInTheMiddle, MagicThenGarbageAndZeros }

    private static readonly string[] Formats = ["jpeg", "png", "gif", "webp", "avif", "tiff"];

    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start() => app = new AssetServerApp();

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var format in Formats)
        {
            yield return new TestCaseData(format, Damage.TruncatedToHalf, 0).SetArgDisplayNames(format, "truncated");
            foreach (var seed in new[] { 1, 2, 3 })
                yield return new TestCaseData(format, Damage.BytesFlippedInTheMiddle, seed).SetArgDisplayNames(format, $"flipped-seed{seed}");
            yield return new TestCaseData(format, Damage.MagicThenGarbageAndZeros, 7).SetArgDisplayNames(format, "magic+garbage");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public async Task DamagedImageIsRenderedOrRefusedCleanlyNever5xx(string format, Damage damage, int seed)
    {
        var valid = Encode(format);
        Assert.That(TestImages.SizeOf(valid), Is.EqualTo((160, 120)), "the undamaged source must decode");
        var bytes = Apply(valid, format, damage, seed);

        var rows = await app.RowCountAsync();
        using var upload = await app.UploadAsync(bytes, $"damaged.{format}", $"image/{format}");
        var uploadText = await upload.Content.ReadAsStringAsync();
        Assert.That((int)upload.StatusCode, Is.EqualTo(200).Or.InRange(400, 499), uploadText);
        if (upload.StatusCode != HttpStatusCode.OK)
        {
            await HostileKit.AssertClientErrorAsync(upload);
            Assert.That(await app.RowCountAsync(), Is.EqualTo(rows), "a refused upload stored a row");
            HostileKit.AssertNoTempFiles(app);
            await HostileKit.AssertHealthyAsync(app);
            return;
        }
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows + 1));
        var id = System.Text.Json.Nodes.JsonNode.Parse(uploadText)!["data"]!["id"]!.GetValue<string>();

        using var client = HostileKit.Client(app);
        var rendered = 0;
        foreach (var (query, outputType) in new[] { ("width=50", (string?)null), ("width=50&format=png", "image/png") })
        {
            using var res = await client.GetAsync($"/assets/{id}?{query}");
            var body = await res.Content.ReadAsByteArrayAsync();
            var status = (int)res.StatusCode;
            TestContext.Out.WriteLine($"{format}/{damage}/{seed} {query}: {status}");
            Assert.That(status, Is.LessThan(500), $"{query}: {System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(400, body.Length)))}");
            if (status == 200 && body.AsSpan().SequenceEqual(bytes))
            {
                continue; // served as the original: not seen as a transformable image
            }
            if (status == 200)
            {
                rendered++;
                if (outputType is not null) Assert.That(res.Content.Headers.ContentType?.MediaType, Is.EqualTo(outputType), query);
                Assert.That(TestImages.SizeOf(body).Width, Is.EqualTo(50), $"{query}: a 200 derivative must be a whole image");
                continue;
            }
            await HostileKit.AssertClientErrorAsync(res, HostileKit.TransformRefusalCodes);
        }

        HostileKit.AssertDerivativesComplete(app, id, atMost: rendered);
        HostileKit.AssertNoTempFiles(app);
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows + 1));
        await HostileKit.AssertHealthyAsync(app);
    }

    [Test]
    public async Task EveryUndamagedFormatRendersSoTheDamagedCasesMeanSomething()
    {
        using var client = HostileKit.Client(app);
        foreach (var format in Formats)
        {
            var file = await app.UploadOkAsync(Encode(format), $"valid.{format}", $"image/{format}");
            Assert.That(file["type"]!.GetValue<string>(), Is.EqualTo($"image/{format}"), format);
            using var res = await client.GetAsync($"/assets/{file["id"]}?width=50&format=png");
            var body = await res.Content.ReadAsByteArrayAsync();
            Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK), format);
            Assert.That(TestImages.SizeOf(body), Is.EqualTo((50, 38)), format);
        }
    }

    private static byte[] Encode(string format)
    {
        using var image = TestImages.Gradient(160, 120);
        return format switch
        {
            "jpeg" => image.JpegsaveBuffer(q: 85),
            "png" => image.PngsaveBuffer(),
            "gif" => image.GifsaveBuffer(),
            "webp" => image.WebpsaveBuffer(),
            "avif" => image.HeifsaveBuffer(compression: Enums.ForeignHeifCompression.Av1, effort: 0),
            "tiff" => image.TiffsaveBuffer(),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
    }

    /// <summary>How many leading bytes make the format's magic (the sniffer and libvips's loaders look at these).</summary>
    private static int MagicLength(string format) => format switch
    {
        "jpeg" => 4,
        "png" => 16,
        "gif" => 13,
        "webp" => 16,
        "avif" => 32,
        "tiff" => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    private static byte[] Apply(byte[] valid, string format, Damage damage, int seed)
    {
        switch (damage)
        {
            case Damage.TruncatedToHalf:
                return valid[..(valid.Length / 2)];
            case Damage.BytesFlippedInTheMiddle:
            {
                var bytes = (byte[])valid.Clone();
                var random = new Random(seed);
                var start = bytes.Length / 3;
                var span = Math.Max(1, bytes.Length / 3);
                for (var i = 0; i < 32; i++) bytes[start + random.Next(span)] ^= (byte)random.Next(1, 256);
                return bytes;
            }
            default:
                return valid[..MagicLength(format)].Concat(HostileKit.Noise(seed, 512)).Concat(new byte[4096]).ToArray();
        }
    }
}
