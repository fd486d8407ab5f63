using System.Text;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Hardening.Hostile;

/// <summary>
/// Transform arguments built to escape or exhaust: file-writing operations, paths in <c>format</c> and <c>key</c>,
/// numbers at the edge of double and int, kernels and blurs that would run for minutes, JSON nested thousands deep and
/// a 100 KB <c>transforms</c>. Each is a 400 INVALID_QUERY or ILLEGAL_ASSET_TRANSFORMATION, nothing is rendered or
/// written, and <c>/tmp/pwned</c> never appears.
/// </summary>
public class TransformAbuseTests
{
    private const string Pwned = "/tmp/pwned";

    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start() => app = new AssetServerApp();

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    public static IEnumerable<TestCaseData> Abuses()
    {
        TestCaseData T(string name, string query) => new TestCaseData(query).SetArgDisplayNames(name);

        yield return T("toFile", Transforms("""[["toFile","/tmp/pwned"]]"""));
        yield return T("toFile-object", Transforms("""[["toFile",{"path":"/tmp/pwned"}]]"""));
        yield return T("toBuffer", Transforms("""[["toBuffer"]]"""));
        yield return T("constructor", Transforms("""[["constructor","/tmp/pwned"]]"""));
        yield return T("__proto__", Transforms("""[["__proto__",{"polluted":true}]]"""));
        yield return T("composite-file", Transforms("""[["composite",[{"input":"/etc/passwd"}]]]"""));
        yield return T("resize-1e308", Transforms("""[["resize",{"width":1e308}]]"""));
        yield return T("resize-1e400", Transforms("""[["resize",{"width":1e400}]]"""));
        yield return T("resize-int-max", Transforms("""[["resize",2147483647,2147483647]]"""));
        yield return T("resize-int-overflow", Transforms("""[["resize",2147483648]]"""));
        yield return T("resize-negative-zero", Transforms("""[["resize",-0.0]]"""));
        yield return T("resize-string", Transforms("""[["resize",{"width":"100; rm -rf /"}]]"""));
        yield return T("resize-kernel-path", Transforms("""[["resize",{"width":10,"kernel":"../../etc/passwd"}]]"""));
        yield return T("extend-100000", Transforms("""[["extend",{"top":100000}]]"""));
        yield return T("extend-all-100000", Transforms("""[["extend",{"top":100000,"bottom":100000,"left":100000,"right":100000}]]"""));
        yield return T("extend-int-max", Transforms("""[["extend",2147483647]]"""));
        yield return T("extract-overflow", Transforms("""[["extract",{"left":2147483647,"top":2147483647,"width":2147483647,"height":2147483647}]]"""));
        yield return T("extract-overflow-small", Transforms("""[["extract",{"left":2147483600,"top":0,"width":100,"height":10}]]"""));
        yield return T("convolve-1001", Transforms(Convolve(1001)));
        yield return T("convolve-16", Transforms(Convolve(16)));
        yield return T("convolve-wrong-count", Transforms("""[["convolve",{"width":3,"height":3,"kernel":[1,2]}]]"""));
        yield return T("blur-1e9", Transforms("""[["blur",1e9]]"""));
        yield return T("blur-1e400", Transforms("""[["blur",1e400]]"""));
        yield return T("median-1001", Transforms("""[["median",1001]]"""));
        yield return T("sharpen-huge", Transforms("""[["sharpen",{"sigma":1e9}]]"""));
        yield return T("rotate-1e308", Transforms("""[["rotate",1e308]]"""));
        yield return T("gamma-1e308", Transforms("""[["gamma",1e308]]"""));
        yield return T("modulate-nan-string", Transforms("""[["modulate",{"brightness":"NaN"}]]"""));
        yield return T("linear-huge", Transforms("""[["linear",[1e308,1e308,1e308,1e308],[1,2]]]"""));
        yield return T("recomb-huge", Transforms("""[["recomb",[[1,0],[0,1]]]]"""));
        yield return T("clahe-huge", Transforms("""[["clahe",{"width":2147483647,"height":2147483647}]]"""));
        yield return T("toFormat-path", Transforms("""[["toFormat","../../etc/passwd"]]"""));
        yield return T("jpeg-quality-1e308", Transforms("""[["jpeg",{"quality":1e308}]]"""));
        yield return T("tiff-compression-path", Transforms("""[["tiff",{"compression":"../../x"}]]"""));
        yield return T("extractChannel-huge", Transforms("""[["extractChannel",2147483647]]"""));
        yield return T("toColourspace-path", Transforms("""[["toColourspace","/tmp/pwned"]]"""));
        yield return T("too-many-ops", Transforms(string.Concat("[", string.Join(",", Enumerable.Repeat("""["grayscale"]""", 1000)), "]")));
        yield return T("nested-5000", Transforms(new string('[', 5000) + new string(']', 5000)));
        yield return T("nested-args-5000", Transforms("""[["blur",""" + new string('[', 5000) + new string(']', 5000) + "]]"));
        yield return T("transforms-100KB", Transforms("""[["blur",1""" + new string('0', 100_000) + "]]"));
        yield return T("transforms-100KB-string", Transforms("""[["toFormat",""" + "\"" + new string('a', 100_000) + "\"]]"));
        yield return T("transforms-object", Transforms("""{"resize":{"width":10}}"""));
        yield return T("transforms-not-json", Transforms("""[["resize",{"width":10}"""));
        yield return T("transforms-duplicate-keys", Transforms("""[["resize",{"width":10,"width":999999}]]"""));
        yield return T("format-path", "format=" + Q("../../etc/passwd"));
        yield return T("format-nul", "format=" + Q("png\0.sh"));
        yield return T("key-path", "key=" + Q("../../etc/passwd"));
        yield return T("key-proto", "key=__proto__");
        yield return T("width-1e308", "width=1e308");
        yield return T("width-int-overflow", "width=2147483648");
        yield return T("width-huge", "width=" + new string('9', 5000));
        yield return T("width-over-max", "width=6001");
        yield return T("height-over-max-contain", "width=10&height=60000&fit=contain");
        yield return T("quality-1e308", "quality=1e308");
        yield return T("focal-int-min", "width=10&height=10&focal_point_x=-2147483648&focal_point_y=-2147483648");
        yield return T("focal-overflow", "width=10&height=10&focal_point_x=99999999999&focal_point_y=1");
        yield return T("fit-path", "width=10&fit=" + Q("../../etc/passwd"));
        yield return T("withoutEnlargement-junk", "width=10&withoutEnlargement=" + Q("$(touch /tmp/pwned)"));
        yield return T("width-repeated", "width=10&width=20");
    }

    [TestCaseSource(nameof(Abuses))]
    public async Task AbusiveTransformIsA400AndWritesNothing(string query)
    {
        // A fresh image per case, so a derivative found afterwards can only come from this query.
        var file = await app.UploadOkAsync(TestImages.Jpeg(320, 200), "victim.jpg", "image/jpeg");
        var imageId = file["id"]!.GetValue<string>();
        var rows = await app.RowCountAsync();
        using var client = HostileKit.Client(app);
        using var res = await client.GetAsync($"/assets/{imageId}?{query}");
        await HostileKit.AssertBadRequestAsync(res, HostileKit.TransformRefusalCodes);

        Assert.That(File.Exists(Pwned), Is.False, $"{Pwned} was written");
        HostileKit.AssertNoDerivatives(app, imageId);
        HostileKit.AssertNoTempFiles(app);
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows));
        await HostileKit.AssertHealthyAsync(app);
    }

    /// <summary>
    /// Options sharp does not know are ignored, as sharp ignores them (Operations.Output says so): the answer is the
    /// same image as without them, and their values reach nothing.
    /// </summary>
    [TestCase("""[["resize",{"width":10,"evil":"/tmp/pwned"}]]""", """[["resize",{"width":10}]]""")]
    [TestCase("""[["png",{"path":"/tmp/pwned","compressionLevel":6}]]""", """[["png",{"compressionLevel":6}]]""")]
    public async Task UnknownOptionsAreIgnoredAndReachNothing(string withJunk, string plain)
    {
        var file = await app.UploadOkAsync(TestImages.Jpeg(320, 200), "ignored.jpg", "image/jpeg");
        using var client = HostileKit.Client(app);
        using var junk = await client.GetAsync($"/assets/{file["id"]}?{Transforms(withJunk)}");
        using var clean = await client.GetAsync($"/assets/{file["id"]}?{Transforms(plain)}");
        Assert.That(junk.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
        Assert.That(clean.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
        Assert.That(await junk.Content.ReadAsByteArrayAsync(), Is.EqualTo(await clean.Content.ReadAsByteArrayAsync()));
        Assert.That(File.Exists(Pwned), Is.False);
        HostileKit.AssertDerivativesComplete(app, file["id"]!.GetValue<string>(), atMost: 1);
        HostileKit.AssertNoTempFiles(app);
    }

    [Test]
    public async Task AbusiveTransformOnAnSvgIsStillValidatedFirst()
    {
        // The parser validates before deciding a source is not transformable, so a bad parameter is a 400 for any file.
        var svg = await app.UploadOkAsync(Encoding.UTF8.GetBytes("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), "a.svg");
        using var client = HostileKit.Client(app);
        foreach (var query in new[] { Transforms("""[["toFile","/tmp/pwned"]]"""), "format=" + Q("../../etc/passwd"), "key=" + Q("../../etc/passwd") })
        {
            using var res = await client.GetAsync($"/assets/{svg["id"]}?{query}");
            await HostileKit.AssertBadRequestAsync(res, "INVALID_QUERY");
        }
        Assert.That(File.Exists(Pwned), Is.False);
    }

    private static string Transforms(string json) => "transforms=" + Q(json);

    private static string Q(string value) => Uri.EscapeDataString(value);

    private static string Convolve(int side) =>
        $$"""[["convolve",{"width":{{side}},"height":{{side}},"kernel":[{{string.Join(",", Enumerable.Repeat("1", side * side))}}]}]]""";
}
