using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using AssetServer.Metadata;
using AssetServer.Tests.Support;
using NetVips;
using NUnit.Framework;

namespace AssetServer.Tests.Metadata;

/// <summary>
/// Issue 12: every raster upload carries a BlurHash and a dominant colour in <c>metadata.placeholder</c>. Issue 17:
/// every placeholder (from a camera's embedded thumbnail or from a decode) is stored by the background after the answer.
/// </summary>
public class PlaceholderTests : AdminAppFixture
{
    private const string Base83 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

    private static int Decode83(string text) => text.Aggregate(0, (value, c) => value * 83 + Base83.IndexOf(c));

    private static byte[] Solid(int width, int height, byte r, byte g, byte b)
    {
        var rgb = new byte[width * height * 3];
        for (var p = 0; p < rgb.Length; p += 3) (rgb[p], rgb[p + 1], rgb[p + 2]) = (r, g, b);
        return rgb;
    }

    [Test]
    public void ASolidColourHasItsColourAsTheDc()
    {
        var hash = BlurHash.Encode(Solid(32, 24, 200, 40, 90), 32, 24);
        Assert.That(hash, Has.Length.EqualTo(4 + 2 * 12), "1 size + 1 maximum + 4 DC + 11 × 2 AC characters");
        Assert.That(hash[0], Is.EqualTo(Base83[3 + 2 * 9]), "4 × 3 components");
        var dc = Decode83(hash[2..6]);
        Assert.That((dc >> 16, (dc >> 8) & 255, dc & 255), Is.EqualTo((200, 40, 90)));
        Assert.That(BlurHash.Encode(Solid(32, 24, 200, 40, 90), 32, 24), Is.EqualTo(hash), "deterministic");
    }

    [Test]
    public void AHorizontalGradientHasItsDetailInTheFirstHorizontalComponent()
    {
        var rgb = new byte[32 * 8 * 3];
        for (var y = 0; y < 8; y++)
        for (var x = 0; x < 32; x++)
        {
            var v = (byte)(x * 255 / 31);
            var p = (y * 32 + x) * 3;
            (rgb[p], rgb[p + 1], rgb[p + 2]) = (v, v, v);
        }
        var hash = BlurHash.Encode(rgb, 32, 8);
        var firstAc = Decode83(hash[6..8]);
        var red = firstAc / (19 * 19);
        Assert.That(red, Is.LessThan(9), "dark on the left, where the cosine basis is positive: a negative factor");
        Assert.That(firstAc / 19 % 19, Is.EqualTo(red), "grey: every channel alike");
        var mirrored = new byte[rgb.Length];
        for (var p = 0; p < rgb.Length; p++) mirrored[p] = (byte)(255 - rgb[p]);
        Assert.That(Decode83(BlurHash.Encode(mirrored, 32, 8)[6..8]) / (19 * 19), Is.GreaterThan(9), "light on the left: a positive factor");
    }

    [Test]
    public async Task AnUploadedImageGetsABlurHashAndItsDominantColour()
    {
        using var image = Image.Black(400, 300).NewFromImage(30, 120, 200);
        var jpeg = image.Cast(Enums.BandFormat.Uchar).JpegsaveBuffer(q: 95);
        var uploaded = await app.UploadOkAsync(jpeg, "blue.jpg", "image/jpeg");
        var file = await app.FileAfterBackgroundAsync(uploaded["id"]!.GetValue<string>());
        var placeholder = file["metadata"]!["placeholder"]!;
        var hash = placeholder["blurhash"]!.GetValue<string>();
        Assert.That(hash, Has.Length.EqualTo(28));
        var dc = Decode83(hash[2..6]);
        Assert.That(dc >> 16, Is.EqualTo(30).Within(3));
        Assert.That((dc >> 8) & 255, Is.EqualTo(120).Within(3));
        Assert.That(dc & 255, Is.EqualTo(200).Within(3));
        var colour = placeholder["color"]!.GetValue<string>();
        Assert.That(colour, Does.Match("^#[0-9a-f]{6}$"));
        Assert.That(Convert.ToInt32(colour[1..3], 16), Is.EqualTo(30).Within(3));
        Assert.That(Convert.ToInt32(colour[5..7], 16), Is.EqualTo(200).Within(3));
    }

    [Test]
    public async Task TheDominantColourIsWhatMostOfTheImageIs()
    {
        // Three quarters green, one quarter red: the mean would be brown; the dominant colour is green.
        using var green = Image.Black(300, 200).NewFromImage(0, 160, 0);
        using var red = Image.Black(100, 200).NewFromImage(220, 0, 0);
        using var both = green.Join(red, Enums.Direction.Horizontal).Cast(Enums.BandFormat.Uchar);
        var uploaded = await app.UploadOkAsync(both.PngsaveBuffer(), "mostly-green.png", "image/png");
        var file = await app.FileAfterBackgroundAsync(uploaded["id"]!.GetValue<string>());
        var colour = file["metadata"]!["placeholder"]!["color"]!.GetValue<string>();
        Assert.That(Convert.ToInt32(colour[1..3], 16), Is.LessThan(20), colour);
        Assert.That(Convert.ToInt32(colour[3..5], 16), Is.EqualTo(160).Within(4), colour);
    }

    [Test]
    public async Task ReplacingTheBytesReplacesThePlaceholder()
    {
        using var black = Image.Black(64, 64, bands: 3).Cast(Enums.BandFormat.Uchar);
        var id = (await app.UploadOkAsync(black.PngsaveBuffer(), "swap.png", "image/png"))["id"]!.GetValue<string>();
        var before = (await app.FileAfterBackgroundAsync(id))["metadata"]!["placeholder"]!["color"]!.GetValue<string>();
        using var white = (Image.Black(64, 64, bands: 3) + 255).Cast(Enums.BandFormat.Uchar);
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(white.PngsaveBuffer());
        part.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(part, "file", "swap.png");
        using var res = await client.PatchAsync($"/files/{id}", form);
        Assert.That((int)res.StatusCode, Is.EqualTo(200));
        var after = (await app.FileAfterBackgroundAsync(id))["metadata"]!["placeholder"]!["color"]!.GetValue<string>();
        Assert.That((before, after), Is.EqualTo(("#000000", "#ffffff")));
    }

    [Test]
    public async Task FilesThatAreNotImagesHaveNoPlaceholder()
    {
        var file = await app.UploadOkAsync("plain text"u8.ToArray(), "note.txt", "text/plain");
        Assert.That(file["metadata"], Is.Null);
        var svg = await app.UploadOkAsync("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>"u8.ToArray(), "v.svg", "image/svg+xml");
        Assert.That(svg["metadata"]?["placeholder"], Is.Null);
    }
}

/// <summary>The embedded EXIF thumbnail path: what a camera JPEG's placeholder is made from.</summary>
public class ExifThumbnailPlaceholderTests : AdminAppFixture
{
    private static byte[] Rgb(int width, int height, int r, int g, int b)
    {
        using var image = Image.Black(width, height).NewFromImage(r, g, b).Cast(Enums.BandFormat.Uchar);
        return image.JpegsaveBuffer(q: 90, keep: Enums.ForeignKeep.None);
    }

    [Test]
    public async Task TheEmbeddedThumbnailIsUsedWhenItShowsTheWholePhoto()
    {
        // The photo is red but its embedded thumbnail is blue: the placeholder tells which one was read.
        var photo = ExifJpeg.WithThumbnail(Rgb(640, 480, 220, 0, 0), Rgb(160, 120, 0, 0, 220));
        // Issue 17: made after the answer, like every placeholder (cheaply: a header read and a small decode).
        var uploaded = await app.UploadOkAsync(photo, "camera.jpg", "image/jpeg");
        Assert.That(uploaded["metadata"]?["placeholder"], Is.Null, "no placeholder work inside the upload's request");
        var file = await app.FileAfterBackgroundAsync(uploaded["id"]!.GetValue<string>());
        var colour = file["metadata"]!["placeholder"]!["color"]!.GetValue<string>();
        Assert.That(Convert.ToInt32(colour[5..7], 16), Is.GreaterThan(180), colour);
        Assert.That(Convert.ToInt32(colour[1..3], 16), Is.LessThan(40), colour);
    }

    [Test]
    public async Task APaddedThumbnailOfAnotherShapeIsNotUsed()
    {
        // A 3:2 photo with a 4:3 thumbnail (cameras pad it with bars): the photo itself is read.
        var photo = ExifJpeg.WithThumbnail(Rgb(600, 400, 220, 0, 0), Rgb(160, 120, 0, 0, 220));
        var uploaded = await app.UploadOkAsync(photo, "padded.jpg", "image/jpeg");
        Assert.That(uploaded["metadata"]?["placeholder"], Is.Null, "the photo must be decoded: after the answer");
        var file = await app.FileAfterBackgroundAsync(uploaded["id"]!.GetValue<string>());
        var colour = file["metadata"]!["placeholder"]!["color"]!.GetValue<string>();
        Assert.That(Convert.ToInt32(colour[1..3], 16), Is.GreaterThan(180), colour);
    }

    [Test]
    public async Task TheThumbnailIsTurnedAsThePhotoIs()
    {
        // Stored 640×480 with orientation 6 (shown 480×640); the thumbnail's left half is black, its right half white.
        using var black = Image.Black(80, 120, bands: 3);
        using var white = Image.Black(80, 120, bands: 3) + 255;
        using var halves = black.Join(white, Enums.Direction.Horizontal).Cast(Enums.BandFormat.Uchar);
        var photo = ExifJpeg.WithThumbnail(Rgb(640, 480, 128, 128, 128), halves.JpegsaveBuffer(q: 95), orientation: 6);
        var uploaded = await app.UploadOkAsync(photo, "turned.jpg", "image/jpeg");
        var file = await app.FileAfterBackgroundAsync(uploaded["id"]!.GetValue<string>());
        Assert.That((file["width"]!.GetValue<int>(), file["height"]!.GetValue<int>()), Is.EqualTo((480, 640)));
        var hash = file["metadata"]!["placeholder"]!["blurhash"]!.GetValue<string>();
        // Turned 90° clockwise the black half is on top: the first vertical component (0, 1) carries it, the first
        // horizontal one (1, 0) is flat. Component (0,1) is the 4th AC entry with 4 × 3 components.
        int Decode(string text) => text.Aggregate(0, (v, c) => v * 83 + "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~".IndexOf(c));
        var horizontal = Decode(hash[6..8]) / (19 * 19);
        var vertical = Decode(hash[12..14]) / (19 * 19);
        Assert.That(Math.Abs(vertical - 9), Is.GreaterThan(Math.Abs(horizontal - 9)), hash);
        Assert.That(vertical, Is.LessThan(9), "dark on top, where the vertical basis is positive");
    }
}

/// <summary>
/// Issue 17: a placeholder is computed after the upload's answer, by the background queue through
/// the render scheduler, and lands only on the bytes it was computed from. The tests hold every render lane so the
/// background waits right after reading the row, which is where a replace or an edit can overtake it.
/// </summary>
public class BackgroundPlaceholderTests : AdminAppFixture
{
    private static byte[] Png(int value)
    {
        using var image = (Image.Black(64, 48, bands: 3) + value).Cast(Enums.BandFormat.Uchar);
        return image.PngsaveBuffer();
    }

    private static string? Colour(JsonNode file) => file["metadata"]?["placeholder"]?["color"]?.GetValue<string>();

    /// <summary>Takes every lane of the render scheduler (general and cheap) until disposed.</summary>
    private async Task<IDisposable> HoldAllRenderLanesAsync()
    {
        var scheduler = app.Service<global::AssetServer.Assets.Store.AssetStore>().Scheduler;
        var permits = new List<IDisposable>();
        for (var i = 0; i < scheduler.Concurrency; i++) permits.Add(await scheduler.AcquireAsync(cost: null));
        permits.Add(await scheduler.AcquireAsync(cost: 1));
        return new Held(permits);
    }

    private sealed class Held(List<IDisposable> permits) : IDisposable
    {
        public void Dispose() => permits.ForEach(p => p.Dispose());
    }

    private void WaitUntilTheBackgroundWaitsForALane()
    {
        var scheduler = app.Service<global::AssetServer.Assets.Store.AssetStore>().Scheduler;
        Assert.That(SpinWait.SpinUntil(() => scheduler.Waiting == 1, TimeSpan.FromSeconds(30)), Is.True, "the background asked for a render lane");
    }

    private async Task<JsonArray> DataAsync(string url) => JsonNode.Parse(await client.GetStringAsync(url))!["data"]!.AsArray();

    [Test]
    public async Task AnUploadThatNeedsADecodeAnswersWithoutThePlaceholderThenTheRowGetsIt()
    {
        var uploaded = await app.UploadOkAsync(Png(255), "later.png", "image/png");
        var id = uploaded["id"]!.GetValue<string>();
        Assert.That(Colour(uploaded), Is.Null, "not computed inside the request");

        var file = await app.FileAfterBackgroundAsync(id);
        Assert.That(Colour(file), Is.EqualTo("#ffffff"));
        Assert.That(file["metadata"]!["placeholder"]!["blurhash"]!.GetValue<string>(), Has.Length.EqualTo(28));
        // Not a change of the user's: the upload's revision and activity only, modified_on as the upload left it.
        Assert.That(await DataAsync($"/revisions?filter[item][_eq]={id}"), Has.Count.EqualTo(1));
        Assert.That(await DataAsync($"/activity?filter[item][_eq]={id}"), Has.Count.EqualTo(1));
        Assert.That(file["modified_on"]!.ToJsonString(), Is.EqualTo(uploaded["modified_on"]!.ToJsonString()));
    }

    [Test]
    public async Task AFileReplacedBeforeTheBackgroundNeverGetsThePlaceholderOfItsOldBytes()
    {
        string id;
        using (await HoldAllRenderLanesAsync())
        {
            id = (await app.UploadOkAsync(Png(0), "swap.png", "image/png"))["id"]!.GetValue<string>();
            WaitUntilTheBackgroundWaitsForALane();
            using var form = new MultipartFormDataContent();
            var part = new ByteArrayContent(Png(255));
            part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
            form.Add(part, "file", "swap.png");
            using var res = await client.PatchAsync($"/files/{id}", form);
            Assert.That((int)res.StatusCode, Is.EqualTo(200));
            Assert.That(Colour(JsonNode.Parse(await res.Content.ReadAsStringAsync())!["data"]!), Is.Null);
        }
        Assert.That(Colour(await app.FileAfterBackgroundAsync(id)), Is.EqualTo("#ffffff"), "the new bytes' placeholder, never the old one");
    }

    [Test]
    public async Task AFileDeletedBeforeTheBackgroundIsSkipped()
    {
        string id;
        using (await HoldAllRenderLanesAsync())
        {
            id = (await app.UploadOkAsync(Png(10), "gone.png", "image/png"))["id"]!.GetValue<string>();
            WaitUntilTheBackgroundWaitsForALane();
            using var res = await client.DeleteAsync($"/files/{id}");
            Assert.That((int)res.StatusCode, Is.EqualTo(204));
        }
        app.WaitForBackgroundRenders();
        using var read = await client.GetAsync($"/files/{id}");
        Assert.That((int)read.StatusCode, Is.EqualTo(403), "no row written back");
        Assert.That(app.OriginalsOnDisk().Where(name => name.Contains(id)), Is.Empty);
    }

    [Test]
    public async Task AMetadataEditMeanwhileKeepsBothTheEditAndThePlaceholder()
    {
        string id;
        using (await HoldAllRenderLanesAsync())
        {
            id = (await app.UploadOkAsync(Png(0), "edited.png", "image/png"))["id"]!.GetValue<string>();
            WaitUntilTheBackgroundWaitsForALane();
            using var res = await client.PatchAsync($"/files/{id}",
                new StringContent("""{"metadata":{"caption":"harbour at dawn"}}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.That((int)res.StatusCode, Is.EqualTo(200));
        }
        var file = await app.FileAfterBackgroundAsync(id);
        Assert.That(file["metadata"]!["caption"]!.GetValue<string>(), Is.EqualTo("harbour at dawn"));
        Assert.That(Colour(file), Is.EqualTo("#000000"));
    }

    [Test]
    public async Task APlaceholderSetByTheUserMeanwhileIsKept()
    {
        string id;
        using (await HoldAllRenderLanesAsync())
        {
            id = (await app.UploadOkAsync(Png(0), "own.png", "image/png"))["id"]!.GetValue<string>();
            WaitUntilTheBackgroundWaitsForALane();
            using var res = await client.PatchAsync($"/files/{id}",
                new StringContent("""{"metadata":{"placeholder":{"color":"#123456"}}}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.That((int)res.StatusCode, Is.EqualTo(200));
        }
        Assert.That(Colour(await app.FileAfterBackgroundAsync(id)), Is.EqualTo("#123456"));
    }
}
