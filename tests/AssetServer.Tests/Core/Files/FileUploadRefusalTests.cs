using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Files.FilesKit;

namespace AssetServer.Tests.Files;

/// <summary>Bad uploads: each is refused with its code and leaves no row, no original and no temp file.</summary>
public class FileUploadRefusalTests
{
    private AssetServerApp app = null!;
    private AssetServerApp small = null!;
    private AssetServerApp imagesOnly = null!;

    [OneTimeSetUp]
    public void Start()
    {
        app = new AssetServerApp();
        small = new AssetServerApp(("Uploads:MaxBytes", "1000"));
        imagesOnly = new AssetServerApp(("Uploads:AllowedTypes:0", "image/*"));
    }

    [OneTimeTearDown]
    public void Stop()
    {
        app.Dispose();
        small.Dispose();
        imagesOnly.Dispose();
    }

    private static async Task<HttpResponseMessage> PostAsync(AssetServerApp target, HttpContent content)
    {
        using var client = target.AdminClient();
        return await client.PostAsync("/files", content);
    }

    [Test]
    public async Task BoundaryThatDoesNotMatchTheBodyIsInvalidPayload()
    {
        var before = await SnapshotAsync(app);
        var raw = new RawMultipart("real-boundary").Field("title", "x").File("a.txt", TextBytes(20)).End();
        using var response = await PostAsync(app, raw.Content(headerBoundary: "other-boundary"));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        await AssertNothingLeftBehindAsync(app, before);
    }

    [Test]
    public async Task MultipartWithoutBoundaryIsInvalidPayload()
    {
        var before = await SnapshotAsync(app);
        var content = new ByteArrayContent(new RawMultipart().File("a.txt", TextBytes(20)).End().Bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("multipart/form-data");
        using var response = await PostAsync(app, content);
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        await AssertNothingLeftBehindAsync(app, before);
    }

    [Test]
    public async Task TruncatedBodyIsInvalidPayload()
    {
        var before = await SnapshotAsync(app);
        var raw = new RawMultipart().Field("title", "Cut").File("cut.txt", TextBytes(5000)).End();
        using var response = await PostAsync(app, raw.Content(truncateTo: raw.Bytes.Length - 2500));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        await AssertNothingLeftBehindAsync(app, before);
    }

    [Test]
    public async Task SecondFileTruncatedStoresNeitherFile()
    {
        var before = await SnapshotAsync(app);
        var raw = new RawMultipart().File("one.txt", TextBytes(300)).File("two.txt", TextBytes(3000)).End();
        using var response = await PostAsync(app, raw.Content(truncateTo: raw.Bytes.Length - 1000));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        await AssertNothingLeftBehindAsync(app, before);
    }

    [Test]
    public async Task NoFilePartIsInvalidPayload()
    {
        var before = await SnapshotAsync(app);
        using var form = new MultipartFormDataContent { { new StringContent("Only a title"), "title" } };
        using var response = await PostAsync(app, form);
        var error = await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        Assert.That(error["message"]!.GetValue<string>(), Does.Contain("No files were included in the body"));
        await AssertNothingLeftBehindAsync(app, before);
    }

    [Test]
    public async Task PartWithEmptyFileNameIsAFieldSoNoFile()
    {
        var before = await SnapshotAsync(app);
        var raw = new RawMultipart().FileWithDisposition("filename=\"\"", TextBytes(20)).End();
        using var response = await PostAsync(app, raw.Content());
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        await AssertNothingLeftBehindAsync(app, before);
    }

    [Test]
    public async Task EmptyFileIsInvalidPayload()
    {
        var before = await SnapshotAsync(app);
        using var response = await app.UploadAsync([], "empty.txt", "text/plain");
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        await AssertNothingLeftBehindAsync(app, before);
    }

    [Test]
    public async Task FileOverMaxBytesIsContentTooLarge()
    {
        var before = await SnapshotAsync(small);
        using var response = await small.UploadAsync(TextBytes(1001), "big.txt", "text/plain");
        await AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "CONTENT_TOO_LARGE");
        await AssertNothingLeftBehindAsync(small, before);
    }

    [Test]
    public async Task FileAtMaxBytesIsAccepted()
    {
        var file = await small.UploadOkAsync(TextBytes(1000), "exact.txt", "text/plain");
        Assert.That(file["filesize"]!.GetValue<long>(), Is.EqualTo(1000));
    }

    [Test]
    public async Task FileAtMaxBytesWithFieldsIsAccepted()
    {
        // Uploads:MaxBytes is "the largest accepted file"; the reader allows fields on top of it (MaxBytes + 1 MiB body).
        var file = await small.UploadOkAsync(TextBytes(1000), "exact-titled.txt", "text/plain", ("title", "Exactly at the limit"));
        Assert.That(file["filesize"]!.GetValue<long>(), Is.EqualTo(1000));
    }

    [Test]
    public async Task SecondFileTooBigStoresNeitherFile()
    {
        var before = await SnapshotAsync(small);
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(TextBytes(600)), "file", "fits.txt");
        form.Add(new ByteArrayContent(TextBytes(1001)), "file", "too-much.txt");
        using var response = await PostAsync(small, form);
        await AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "CONTENT_TOO_LARGE");
        await AssertNothingLeftBehindAsync(small, before);
    }

    [Test]
    public async Task TypeOutsideAllowedTypesIsUnsupportedMediaType()
    {
        var before = await SnapshotAsync(imagesOnly);
        using var response = await imagesOnly.UploadAsync(Encoding.UTF8.GetBytes("just some text\n"), "notes.txt", "text/plain");
        await AssertErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
        await AssertNothingLeftBehindAsync(imagesOnly, before);
    }

    [Test]
    public async Task TextClaimingToBeAnImageIsStillRefusedWhenOnlyImagesAreAllowed()
    {
        var before = await SnapshotAsync(imagesOnly);
        using var response = await imagesOnly.UploadAsync(Encoding.UTF8.GetBytes("<html><script>alert(1)</script></html>"), "photo.jpg", "image/jpeg");
        await AssertErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
        await AssertNothingLeftBehindAsync(imagesOnly, before);
    }

    [TestCase("bogus", "1")]
    [TestCase("filesize", "5")]
    [TestCase("id", "0f8fad5b-d9cb-469f-a165-70867728950e")]
    [TestCase("checksum", "abc")]
    [TestCase("filename_disk", "../../evil.sh")]
    [TestCase("focal_point_x", "left")]
    [TestCase("folder", "not-a-uuid")]
    [TestCase("tags", "[\"unclosed\"")]
    public async Task UnknownReadOnlyOrMistypedFieldIsInvalidPayload(string name, string value)
    {
        var before = await SnapshotAsync(app);
        using var response = await app.UploadAsync(TextBytes(40), "field.txt", "text/plain", (name, value));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        await AssertNothingLeftBehindAsync(app, before);
    }

    [Test]
    public async Task BadFieldBeforeTheSecondFileStoresNeitherFile()
    {
        var before = await SnapshotAsync(app);
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(TextBytes(100)), "file", "good.txt");
        form.Add(new StringContent("5"), "filesize");
        form.Add(new ByteArrayContent(TextBytes(100)), "file", "bad.txt");
        using var response = await PostAsync(app, form);
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        await AssertNothingLeftBehindAsync(app, before);
    }

    [Test]
    public async Task PlainTextBodyIsUnsupportedMediaType()
    {
        var before = await SnapshotAsync(app);
        using var response = await PostAsync(app, new StringContent("hello", Encoding.UTF8, "text/plain"));
        await AssertErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
        await AssertNothingLeftBehindAsync(app, before);
    }

    [Test]
    public async Task RawImageBodyIsUnsupportedMediaType()
    {
        var before = await SnapshotAsync(app);
        var content = new ByteArrayContent(TestImages.Jpeg(16, 16));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        using var response = await PostAsync(app, content);
        await AssertErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
        await AssertNothingLeftBehindAsync(app, before);
    }

    [TestCase("{\"type\":")]
    [TestCase("[]")]
    [TestCase("\"text\"")]
    [TestCase("{\"type\":\"image/jpeg\",\"filesize\":5}")]
    [TestCase("{\"type\":\"image/jpeg\",\"bogus\":1}")]
    [TestCase("{\"type\":\"not a mime\"}")]
    [TestCase("{\"type\":\"image/jpeg\",\"storage\":\"gcs\"}")]
    public async Task BadJsonCreateIsInvalidPayload(string json)
    {
        var before = await SnapshotAsync(app);
        using var response = await PostAsync(app, Json(json));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        await AssertNothingLeftBehindAsync(app, before);
    }

    [Test]
    public async Task StorageOtherThanTheConfiguredStoreIsInvalidPayload()
    {
        var before = await SnapshotAsync(app);
        var other = TestStorage.IsS3 ? "local" : "s3";
        using var response = await PostAsync(app, Json($$"""{"type":"image/jpeg","storage":"{{other}}"}"""));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        await AssertNothingLeftBehindAsync(app, before);
    }

    [Test]
    public async Task EmptyJsonBodyIsInvalidPayload()
    {
        var before = await SnapshotAsync(app);
        using var response = await PostAsync(app, Json(""));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        await AssertNothingLeftBehindAsync(app, before);
    }
}
