using AssetServer.Assets;
using AssetServer.Errors;
using AssetServer.Transforms;

namespace AssetServer.Tests.Transforms;

[TestFixture]
public class TransformParserTests
{
    private const string Presets = """
        [
          { "key": "thumb", "fit": "cover", "width": 200, "height": 200, "quality": 80, "format": "webp" },
          { "key": "small-contain", "fit": "contain", "width": 64, "quality": 80, "format": "auto" }
        ]
        """;

    private static readonly TransformSource Jpeg = new("image/jpeg", 3840, 2400, null, null);

    private static TransformRequest? Parse(string query, TransformSource? source = null, string? accept = null, AssetsOptions? options = null)
    {
        using var fixture = new TransformFixture(options, Presets);
        return fixture.Parser.Parse(TransformFixture.Query(query), source ?? Jpeg, accept);
    }

    private static ApiException Rejects(string query, TransformSource? source = null, AssetsOptions? options = null) =>
        Assert.Throws<ApiException>(() => Parse(query, source, options: options))!;

    [TestCase("")]
    [TestCase("download=1&access_token=abc")]
    [TestCase("cachebuster=123")]
    [TestCase("transforms=[]")]
    [TestCase("fit=cover")]
    [TestCase("withoutEnlargement=true")]
    [TestCase("transforms=[[\"rotate\",0]]")]
    public void NoTransformServesTheOriginal(string query) => Assert.That(Parse(query), Is.Null);

    [TestCase("image/svg+xml")]
    [TestCase("audio/mpeg")]
    [TestCase("text/plain")]
    public void UntransformableTypesServeTheOriginal(string mime) =>
        Assert.That(Parse("width=100", new TransformSource(mime, null, null, null, null)), Is.Null);

    [Test]
    public void BadParametersAreRejectedEvenForUntransformableTypes()
    {
        var e = Rejects("format=bmp", new TransformSource("application/pdf", null, null, null, null));
        Assert.That(e.Code, Is.EqualTo("INVALID_QUERY"));
        Assert.That(e.Message, Is.EqualTo("Invalid query. Expected one of: jpg, jpeg, png, webp, avif, tiff, gif, auto for format but received \"bmp\"."));
    }

    [TestCase("width=0", "Invalid query. Expected positive integer between 1 and 100000000 for width but received \"0\".")]
    [TestCase("width=-1", "Invalid query. Expected positive integer between 1 and 100000000 for width but received \"-1\".")]
    [TestCase("height=1.5", "Invalid query. Expected positive integer between 1 and 100000000 for height but received \"1.5\".")]
    [TestCase("width=abc", "Invalid query. Expected positive integer between 1 and 100000000 for width but received \"abc\".")]
    [TestCase("quality=0", "Invalid query. Expected integer between 1 and 100 for quality but received \"0\".")]
    [TestCase("quality=101", "Invalid query. Expected integer between 1 and 100 for quality but received \"101\".")]
    [TestCase("fit=bogus&width=10&height=10", "Invalid query. Expected one of: cover, contain, inside, outside, fill for fit but received \"bogus\".")]
    [TestCase("withoutEnlargement=yes&width=100", "Invalid query. Expected one of: true, false, 1, 0 for withoutEnlargement but received \"yes\".")]
    [TestCase("focal_point_x=-5&width=10&height=10", "Invalid query. Expected non-negative integer for focal_point_x but received \"-5\".")]
    [TestCase("key=doesnotexist", "Invalid query. Key \"doesnotexist\" isn't configured.")]
    [TestCase("key=thumb&width=100", "Invalid query. \"key\" can't be combined with other transform parameters, but received \"width\".")]
    [TestCase("transforms=not json", "Invalid query. \"transforms\" Parameter needs to be a JSON array of allowed transformations.")]
    [TestCase("transforms={\"a\":1}", "Invalid query. \"transforms\" Parameter needs to be a JSON array of allowed transformations.")]
    [TestCase("transforms=[\"blur\"]", "Invalid query. \"transforms\" Parameter needs to be a JSON array of allowed transformations.")]
    [TestCase("transforms=[[\"toFile\",\"/tmp/x\"]]", "Invalid query. \"transforms\" Parameter does not allow \"toFile\" as a transformation.")]
    [TestCase("transforms=[[\"bogusOp\"]]", "Invalid query. \"transforms\" Parameter does not allow \"bogusOp\" as a transformation.")]
    [TestCase("transforms=[[\"blur\",1],[\"blur\",1],[\"blur\",1],[\"blur\",1],[\"blur\",1],[\"blur\",1]]", "Invalid query. \"transforms\" Parameter is only allowed 5 transformations.")]
    [TestCase("transforms=[[\"blur\",-1]]", "Invalid query. Expected number between 0.3 and 100 for sigma but received \"-1\".")]
    [TestCase("width=1&width=2", "Invalid query. Expected a single value for width but received \"1,2\".")]
    public void MalformedParameterIsInvalidQuery(string query, string message)
    {
        var e = Rejects(query);
        Assert.That(e.Status, Is.EqualTo(400));
        Assert.That(e.Code, Is.EqualTo("INVALID_QUERY"));
        Assert.That(e.Message, Is.EqualTo(message));
    }

    [TestCase("[[\"blur\",1000]]")]
    [TestCase("[[\"blur\",\"3\"]]")]
    [TestCase("[[\"median\",16]]")]
    [TestCase("[[\"sharpen\",11]]")]
    [TestCase("[[\"rotate\",\"90\"]]")]
    [TestCase("[[\"flip\",\"yes\"]]")]
    [TestCase("[[\"tint\",\"notacolour\"]]")]
    [TestCase("[[\"tint\",\"rgb(300,0,0)\"]]")]
    [TestCase("[[\"gamma\",0.5]]")]
    [TestCase("[[\"modulate\",5]]")]
    [TestCase("[[\"modulate\",{\"brightness\":-1}]]")]
    [TestCase("[[\"threshold\",256]]")]
    [TestCase("[[\"extend\",-1]]")]
    [TestCase("[[\"extend\",{\"top\":1.5}]]")]
    [TestCase("[[\"extend\",{\"top\":1,\"extendWith\":\"smear\"}]]")]
    [TestCase("[[\"extract\",{\"left\":0,\"top\":0,\"width\":0,\"height\":10}]]")]
    [TestCase("[[\"extract\",{\"left\":0,\"top\":0,\"width\":10}]]")]
    [TestCase("[[\"extract\",{\"left\":3800,\"top\":0,\"width\":100,\"height\":10}]]")]
    [TestCase("[[\"resize\",{\"width\":-3}]]")]
    [TestCase("[[\"resize\",100,100,{\"fit\":\"squash\"}]]")]
    [TestCase("[[\"linear\",\"a\"]]")]
    [TestCase("[[\"recomb\",[[1,0],[0,1]]]]")]
    [TestCase("[[\"clahe\",{\"width\":3}]]")]
    [TestCase("[[\"convolve\",{\"width\":3,\"height\":3,\"kernel\":[1,2,3]}]]")]
    [TestCase("[[\"convolve\",{\"width\":16,\"height\":1,\"kernel\":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]]")]
    [TestCase("[[\"extractChannel\",\"purple\"]]")]
    [TestCase("[[\"extractChannel\",4]]")]
    [TestCase("[[\"toColourspace\",\"hsv\"]]")]
    [TestCase("[[\"toFormat\",\"bmp\"]]")]
    [TestCase("[[\"toFormat\",\"heif\"]]")]
    [TestCase("[[\"jpeg\",{\"quality\":0}]]")]
    [TestCase("[[\"webp\",5]]")]
    [TestCase("[[\"ensureAlpha\",2]]")]
    [TestCase("[[\"normalise\",{\"lower\":50,\"upper\":40}]]")]
    public void BadOperationArgumentIsInvalidQuery(string transforms)
    {
        var e = Rejects("transforms=" + Uri.EscapeDataString(transforms));
        Assert.That(e.Code, Is.EqualTo("INVALID_QUERY"), e.Message);
        Assert.That(e.Message, Does.StartWith("Invalid query. Expected"));
    }

    [TestCase("width=7000")]
    [TestCase("height=100000")]
    [TestCase("transforms=[[\"resize\",{\"width\":100000}]]")]
    [TestCase("transforms=[[\"extend\",5000]]")]
    [TestCase("width=3000&transforms=[[\"extend\",{\"left\":3001}]]")]
    [TestCase("width=10&height=6000&fit=cover")]
    public void OutputOverMaxDimensionIsIllegal(string query)
    {
        var e = Rejects(query.Replace("[", "%5B").Replace("]", "%5D"));
        Assert.That(e.Code, Is.EqualTo("ILLEGAL_ASSET_TRANSFORMATION"));
        Assert.That(e.Extensions["invalidTransformations"], Is.EqualTo(new[] { "width", "height" }));
    }

    [Test]
    public void SourceOverMaxDimensionIsIllegal()
    {
        var e = Rejects("width=100", new TransformSource("image/jpeg", 6028, 3391, null, null));
        Assert.That(e.Code, Is.EqualTo("ILLEGAL_ASSET_TRANSFORMATION"));
    }

    [Test]
    public void SourceOverMaxInputPixelsIsIllegal()
    {
        var e = Rejects("width=100", new TransformSource("image/jpeg", 1000, 1000, null, null), new AssetsOptions { MaxInputPixels = 999_999 });
        Assert.That(e.Code, Is.EqualTo("ILLEGAL_ASSET_TRANSFORMATION"));
        Assert.That(e.Message, Does.Contain("999999"));
    }

    [Test]
    public void ReorderedParametersGiveTheSameKey() =>
        Assert.That(Parse("width=200&height=200&fit=cover")!.CacheKey, Is.EqualTo(Parse("fit=cover&height=200&width=200")!.CacheKey));

    [Test]
    public void PresetGivesTheSameKeyAsTheExplicitQuery()
    {
        var preset = Parse("key=thumb")!;
        var explicitQuery = Parse("width=200&height=200&fit=cover&quality=80&format=webp")!;
        Assert.That(preset.CacheKey, Is.EqualTo(explicitQuery.CacheKey));
        Assert.That(preset.Format, Is.EqualTo(OutputFormat.Webp));
    }

    [Test]
    public void DefaultsAndNoOpsDoNotChangeTheKey()
    {
        var plain = Parse("width=200")!.CacheKey;
        Assert.Multiple(() =>
        {
            Assert.That(Parse("width=200&fit=contain")!.CacheKey, Is.EqualTo(plain), "fit with one side");
            Assert.That(Parse("width=200&withoutEnlargement=false")!.CacheKey, Is.EqualTo(plain));
            Assert.That(Parse("width=200&quality=80")!.CacheKey, Is.EqualTo(plain), "jpg default quality");
            Assert.That(Parse("width=200&format=jpeg")!.CacheKey, Is.EqualTo(Parse("width=200&format=jpg")!.CacheKey));
            Assert.That(Parse("width=200&transforms=[[\"flip\",false]]")!.CacheKey, Is.EqualTo(plain));
            Assert.That(Parse("width=200&height=200")!.CacheKey, Is.EqualTo(Parse("width=200&height=200&fit=cover")!.CacheKey));
            Assert.That(Parse("width=200&quality=50")!.CacheKey, Is.Not.EqualTo(plain));
            Assert.That(Parse("width=201")!.CacheKey, Is.Not.EqualTo(plain));
        });
    }

    [Test]
    public void QualityIsDroppedForLosslessFormats() =>
        Assert.That(Parse("width=200&format=png&quality=30")!.CacheKey, Is.EqualTo(Parse("width=200&format=png")!.CacheKey));

    [Test]
    public void FocalPointIsPartOfTheKeyOnlyForCover()
    {
        var withFocal = new TransformSource("image/jpeg", 3840, 2400, 100, 100);
        Assert.That(Parse("width=200&height=200", withFocal)!.CacheKey, Is.Not.EqualTo(Parse("width=200&height=200")!.CacheKey));
        Assert.That(Parse("width=200&height=200&fit=inside", withFocal)!.CacheKey, Is.EqualTo(Parse("width=200&height=200&fit=inside")!.CacheKey));
        Assert.That(Parse("width=200&height=200&focal_point_x=100&focal_point_y=100")!.CacheKey,
            Is.EqualTo(Parse("width=200&height=200", withFocal)!.CacheKey));
    }

    [TestCase("image/jpeg", "jpg", 80)]
    [TestCase("image/png", "png", null)]
    [TestCase("image/webp", "webp", 80)]
    [TestCase("image/avif", "avif", 50)]
    [TestCase("image/tiff", "tiff", 80)]
    [TestCase("image/gif", "gif", null)]
    public void NoFormatKeepsTheSourceFormat(string mime, string format, int? quality)
    {
        var request = Parse("width=100", new TransformSource(mime, 400, 300, null, null))!;
        Assert.That(request.Format.Name, Is.EqualTo(format));
        Assert.That(request.CacheKey, quality is null ? Does.Not.Contain("(q") : Does.Contain($"(q{quality})"));
    }

    [TestCase("image/avif,image/webp,*/*", "image/jpeg", "avif")]
    [TestCase("image/webp,*/*", "image/jpeg", "webp")]
    [TestCase("text/html,image/webp;q=0.1", "image/png", "webp")]
    [TestCase("*/*", "image/jpeg", "jpg")]
    [TestCase(null, "image/png", "png")]
    [TestCase("*/*", "image/gif", "png")]
    [TestCase("*/*", "image/tiff", "png")]
    [TestCase(null, "image/webp", "png")]
    [TestCase("image/png,*/*", "image/avif", "png")]
    [TestCase(null, "video/mp4", "jpg")]
    [TestCase(null, "application/pdf", "jpg")]
    public void AutoFormatFollowsAccept(string? accept, string mime, string expected)
    {
        var request = Parse("width=100&format=auto", new TransformSource(mime, 400, 300, null, null), accept)!;
        Assert.That(request.Format.Name, Is.EqualTo(expected));
        Assert.That(request.VariesByAccept, Is.True);
    }

    [Test]
    public void ExplicitFormatDoesNotVaryByAccept() =>
        Assert.That(Parse("width=100&format=webp", accept: "image/avif")!.VariesByAccept, Is.False);

    [Test]
    public void AutoFormatGivesDifferentKeysPerResolvedFormat() =>
        Assert.That(Parse("width=100&format=auto", accept: "image/avif")!.CacheKey,
            Is.Not.EqualTo(Parse("width=100&format=auto", accept: "image/webp")!.CacheKey));

    [Test]
    public void PresetsPolicyAllowsOnlyKeys()
    {
        var options = new AssetsOptions { Transform = TransformPolicy.Presets };
        var e = Rejects("width=100", options: options);
        Assert.That(e.Message, Is.EqualTo("Invalid query. Only configured presets can be used in asset generation."));
        Assert.That(Parse("key=thumb", options: options)!.Format, Is.EqualTo(OutputFormat.Webp));
    }

    [Test]
    public void NonePolicyServesOriginals() =>
        Assert.That(Parse("width=100", options: new AssetsOptions { Transform = TransformPolicy.None }), Is.Null);

    [Test]
    public void MaxOperationsFollowsTheOption()
    {
        var e = Rejects("transforms=[[\"flip\"],[\"flop\"],[\"negate\"]]", options: new AssetsOptions { MaxOperations = 2 });
        Assert.That(e.Message, Is.EqualTo("Invalid query. \"transforms\" Parameter is only allowed 2 transformations."));
    }

    [Test]
    public void ColoursAcceptSharpNotations()
    {
        foreach (var colour in new[] { "rgb(255,0,0)", "#ff0000", "#f00", "red", "rgba(255,0,0,0.5)" })
        {
            Assert.That(Parse($"transforms=[[\"tint\",\"{Uri.EscapeDataString(colour)}\"]]"), Is.Not.Null, colour);
        }
        Assert.That(Parse("transforms=" + Uri.EscapeDataString("[[\"flatten\",{\"background\":{\"r\":0,\"g\":0,\"b\":255,\"alpha\":1}}]]")), Is.Not.Null);
        Assert.That(Parse("transforms=[[\"tint\",\"%23f00\"]]")!.CacheKey, Is.EqualTo(Parse("transforms=[[\"tint\",\"rgb(255,0,0)\"]]")!.CacheKey));
    }

    [Test]
    public void OperationsOutsideTheArrayOrderFollowSharpsPipeline()
    {
        var a = Parse("transforms=[[\"tint\",\"red\"],[\"greyscale\"]]")!.CacheKey;
        var b = Parse("transforms=[[\"greyscale\"],[\"tint\",\"red\"]]")!.CacheKey;
        Assert.That(a, Is.EqualTo(b));
    }

    [Test]
    public void EveryStageHasExactlyOneStepAndSourceRunsBeforeTheOthers()
    {
        var positions = Enum.GetValues<Stage>().Select(RenderPipeline.Position).ToList();
        Assert.That(positions, Is.All.GreaterThanOrEqualTo(0));
        Assert.That(positions, Is.Unique);
        Assert.That(positions.Skip(1), Is.All.GreaterThan(RenderPipeline.Position(Stage.Source)));
    }

    [Test]
    public void OperationsRunInTheOrderOfTheirSteps()
    {
        var request = Parse("transforms=" + Uri.EscapeDataString("""[["tint","red"],["flop"],["negate"],["flip"],["blur",2]]"""))!;
        Assert.That(request.Operations.Select(o => o.Canonical),
            Is.EqualTo(new[] { "flop", "flip", "negate", "blur(2)", "tint(rgba(255,0,0,1))" }));
    }
}
