using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Strapi.StrapiKit;

namespace AssetServer.Tests.Strapi;

/// <summary><c>POST /api/upload</c> (issue 10): the file object field by field, the stored original, fileInfo pairing.</summary>
public class StrapiUploadTests : AdminAppFixture
{
    [Test]
    public async Task SingleUploadIsCreatedWithEveryFieldOfStrapisFileObject()
    {
        var bytes = TestImages.Jpeg(400, 300);
        var before = DateTime.UtcNow.AddSeconds(-5);
        var name = Unique("Landscape shot ");
        using var form = Form(
            StrapiPart.File("landscape.jpg", bytes, "image/jpeg"),
            StrapiPart.FileInfo($$"""{"name":"{{name}}","alternativeText":"a landscape","caption":"cap 1"}"""));
        using var response = await client.PostAsync("/api/upload", form);
        var body = await JsonAsync(response, HttpStatusCode.Created);

        Assert.That(body, Is.InstanceOf<JsonArray>(), "one file is still an array");
        Assert.That(body.AsArray(), Has.Count.EqualTo(1));
        var file = body[0]!.AsObject();
        Assert.That(file.Select(p => p.Key), Is.EqualTo(V5FieldOrder));

        Assert.That(file["id"]!.GetValueKind(), Is.EqualTo(System.Text.Json.JsonValueKind.Number));
        Assert.That(Id(file), Is.GreaterThan(0));
        Assert.That(Str(file, "documentId"), Does.Match("^[a-z0-9]{24}$"));
        Assert.That(Str(file, "name"), Is.EqualTo(name));
        Assert.That(Str(file, "alternativeText"), Is.EqualTo("a landscape"));
        Assert.That(Str(file, "caption"), Is.EqualTo("cap 1"));
        Assert.That(file["focalPoint"], Is.Null);
        Assert.That(Int(file, "width"), Is.EqualTo(400));
        Assert.That(Int(file, "height"), Is.EqualTo(300));
        Assert.That(file["formats"], Is.InstanceOf<JsonObject>());
        var slug = name.Replace(' ', '_');
        Assert.That(Str(file, "hash"), Does.Match($"^{Regex.Escape(slug)}_[0-9a-f]{{10}}$"));
        Assert.That(Str(file, "ext"), Is.EqualTo(".jpg"));
        Assert.That(Str(file, "mime"), Is.EqualTo("image/jpeg"));
        Assert.That(file["size"]!.GetValue<double>(), Is.EqualTo(Kb(bytes.Length)).Within(1e-9));
        Assert.That(Str(file, "url"), Is.EqualTo($"/uploads/{Str(file, "hash")}.jpg"));
        Assert.That(file["previewUrl"], Is.Null);
        Assert.That(Str(file, "provider"), Is.EqualTo(TestStorage.Provider));
        Assert.That(file["provider_metadata"], Is.Null);
        foreach (var stamp in new[] { "createdAt", "updatedAt", "publishedAt" })
        {
            var text = Str(file, stamp);
            Assert.That(text, Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"), stamp);
            var parsed = DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            Assert.That(parsed, Is.GreaterThan(before).And.LessThan(DateTime.UtcNow.AddSeconds(5)), stamp);
        }
        Assert.That(Str(file, "updatedAt"), Is.EqualTo(Str(file, "createdAt")));
        Assert.That(file["isUrlSigned"]!.GetValue<bool>(), Is.False);
    }

    [Test]
    public async Task SizeIsKilobytesToTwoDecimalsAndHasNoSizeInBytes()
    {
        // STRAPI-BEHAVIOUR.md: 142746 B → 142.75.
        foreach (var (length, kb) in new[] { (142746, 142.75), (1234, 1.23), (1236, 1.24), (999, 1.0) })
        {
            var file = await UploadOneAsync(client, TextBytes(length), "sized.txt", "text/plain");
            Assert.That(file["size"]!.GetValue<double>(), Is.EqualTo(kb).Within(1e-9), $"{length} bytes");
            Assert.That(file.ContainsKey("sizeInBytes"), Is.False);
        }
    }

    [Test]
    public async Task OriginalServedAtUrlIsByteIdenticalToTheUpload()
    {
        var bytes = TestImages.Jpeg(320, 240, quality: 93);
        var file = await UploadOneAsync(client, bytes, "exact.jpg", "image/jpeg");

        using var anonymous = app.AnonymousClient();
        Assert.That(await GetBytesAsync(anonymous, Str(file, "url")), Is.EqualTo(bytes));
        var onDisk = app.OriginalsOnDisk().Select(File.ReadAllBytes).Count(b => b.AsSpan().SequenceEqual(bytes));
        Assert.That(onDisk, Is.EqualTo(1), "stored unchanged, not re-encoded");
        Assert.That(app.TempFilesOnDisk(), Is.Empty);
    }

    [Test]
    public async Task WithoutFileInfoTheNameIsTheUploadedFileName()
    {
        var file = await UploadOneAsync(client, TestImages.Png(40, 30), "portrait shot.png", "image/png");
        Assert.That(Str(file, "name"), Is.EqualTo("portrait shot.png"));
        Assert.That(Str(file, "hash"), Does.Match("^portrait_shot_[0-9a-f]{10}$"));
        Assert.That(Str(file, "ext"), Is.EqualTo(".png"));
        Assert.That(file["alternativeText"], Is.Null);
        Assert.That(file["caption"], Is.Null);
        Assert.That(file["formats"], Is.Null, "40x30 is smaller than every format");
    }

    [Test]
    public async Task FileInfoNameNeedsNoExtensionAndExtComesFromTheUploadedFileName()
    {
        var file = await UploadOneAsync(client, TestImages.Png(40, 30), "upload.png", "image/png", """{"name":"Renamed"}""");
        Assert.That(Str(file, "name"), Is.EqualTo("Renamed"));
        Assert.That(Str(file, "ext"), Is.EqualTo(".png"));
        Assert.That(Str(file, "hash"), Does.Match("^Renamed_[0-9a-f]{10}$"));
        Assert.That(Str(file, "url"), Is.EqualTo($"/uploads/{Str(file, "hash")}.png"));
    }

    [Test]
    public async Task HashIsASlugOfTheNameWithAccentsFolded()
    {
        var file = await UploadOneAsync(client, TextBytes(10), "menu.txt", "text/plain", """{"name":"Café crème, 2024 (draft)"}""");
        Assert.That(Str(file, "name"), Is.EqualTo("Café crème, 2024 (draft)"));
        Assert.That(Str(file, "hash"), Does.Match("^Cafe_creme_2024_draft_[0-9a-f]{10}$"));
        Assert.That(await GetBytesAsync(client, Str(file, "url")), Has.Length.EqualTo(10));
    }

    [Test]
    public async Task UnknownFileInfoKeyIsDroppedAndTheRestApplies()
    {
        using var form = Form(
            StrapiPart.File("bogus.txt", TextBytes(20), "text/plain"),
            StrapiPart.FileInfo("""{"bogus":1,"caption":"kept","alternativeText":"alt"}"""));
        using var response = await client.PostAsync("/api/upload", form);
        var file = (await JsonAsync(response, HttpStatusCode.Created))[0]!.AsObject();
        Assert.That(Str(file, "caption"), Is.EqualTo("kept"));
        Assert.That(Str(file, "alternativeText"), Is.EqualTo("alt"));
        Assert.That(file.ContainsKey("bogus"), Is.False);
        Assert.That(file.Select(p => p.Key), Is.EqualTo(V5FieldOrder));
    }

    [Test]
    public async Task FocalPointIsStoredAndReturned()
    {
        var file = await UploadOneAsync(client, TestImages.Jpeg(200, 100), "focal.jpg", "image/jpeg", """{"focalPoint":{"x":50,"y":25}}""");
        Assert.That(file["focalPoint"]!.ToJsonString(), Is.EqualTo("""{"x":50,"y":25}"""));
        var read = await GetJsonAsync(client, $"/api/upload/files/{Id(file)}");
        Assert.That(read["focalPoint"]!.ToJsonString(), Is.EqualTo("""{"x":50,"y":25}"""));
    }

    [Test]
    public async Task IdsAreIntegersThatGrowWithEveryUpload()
    {
        var first = await UploadOneAsync(client, TextBytes(10), "one.txt", "text/plain");
        var second = await UploadOneAsync(client, TextBytes(10), "two.txt", "text/plain");
        Assert.That(Id(second), Is.GreaterThan(Id(first)));
        Assert.That(Str(second, "documentId"), Is.Not.EqualTo(Str(first, "documentId")));
        Assert.That(Str(second, "hash"), Is.Not.EqualTo(Str(first, "hash")));
    }

    [Test]
    public async Task ParallelUploadsGetDistinctIds()
    {
        var uploads = Enumerable.Range(0, 8).Select(i => UploadOneAsync(client, TextBytes(10 + i), $"parallel{i}.txt", "text/plain"));
        var files = await Task.WhenAll(uploads);
        Assert.That(files.Select(Id).Distinct().Count(), Is.EqualTo(8));
        Assert.That(files.Select(f => Str(f, "documentId")).Distinct().Count(), Is.EqualTo(8));
        Assert.That(files.Select(f => Str(f, "hash")).Distinct().Count(), Is.EqualTo(8));
    }

    // ---- several files: fileInfo i belongs to file part i, in request order, every time ----

    /// <summary>How the fileInfo of a batch is sent: one field per file or one JSON array, before or after the file parts.</summary>
    public enum FileInfoLayout { FieldPerFileBefore, FieldPerFileAfter, ArrayBefore, ArrayAfter, FieldPerFileInterleaved }

    [TestCase(FileInfoLayout.FieldPerFileBefore)]
    [TestCase(FileInfoLayout.FieldPerFileAfter)]
    [TestCase(FileInfoLayout.ArrayBefore)]
    [TestCase(FileInfoLayout.ArrayAfter)]
    [TestCase(FileInfoLayout.FieldPerFileInterleaved)]
    public async Task FileInfoGoesToTheFilePartAtTheSameIndexEveryTime(FileInfoLayout layout)
    {
        for (var run = 0; run < 5; run++)
        {
            var tag = Unique("run");
            var jpeg = TestImages.Jpeg(64 + run, 48);
            var png = TestImages.Png(30, 20 + run);
            var text = TextBytes(100 + run);
            (string FileName, byte[] Bytes, string Type)[] files =
            [
                ("photo.jpg", jpeg, "image/jpeg"),
                ("diagram.png", png, "image/png"),
                ("notes.txt", text, "text/plain"),
            ];
            var infos = files.Select((f, i) => $$"""{"name":"{{tag}}-{{i}}","caption":"caption {{i}}","alternativeText":"alt {{i}}"}""").ToArray();
            var fileParts = files.Select(f => StrapiPart.File(f.FileName, f.Bytes, f.Type)).ToList();
            var perFile = infos.Select(StrapiPart.FileInfo).ToList();
            var array = StrapiPart.FileInfo("[" + string.Join(",", infos) + "]");
            List<StrapiPart> parts = layout switch
            {
                FileInfoLayout.FieldPerFileBefore => [.. perFile, .. fileParts],
                FileInfoLayout.FieldPerFileAfter => [.. fileParts, .. perFile],
                FileInfoLayout.ArrayBefore => [array, .. fileParts],
                FileInfoLayout.ArrayAfter => [.. fileParts, array],
                _ => [fileParts[0], perFile[0], perFile[1], fileParts[1], fileParts[2], perFile[2]],
            };

            var created = await UploadOkAsync(client, parts.ToArray());

            for (var i = 0; i < files.Length; i++)
            {
                var file = created[i]!.AsObject();
                var context = $"{layout}, run {run}, file {i}";
                Assert.That(Str(file, "name"), Is.EqualTo($"{tag}-{i}"), context);
                Assert.That(Str(file, "caption"), Is.EqualTo($"caption {i}"), context);
                Assert.That(Str(file, "alternativeText"), Is.EqualTo($"alt {i}"), context);
                Assert.That(Str(file, "mime"), Is.EqualTo(files[i].Type), context);
                Assert.That(Str(file, "ext"), Is.EqualTo(Path.GetExtension(files[i].FileName)), context);
                Assert.That(file["size"]!.GetValue<double>(), Is.EqualTo(Kb(files[i].Bytes.Length)).Within(1e-9), context);
                Assert.That(await GetBytesAsync(client, Str(file, "url")), Is.EqualTo(files[i].Bytes), context);

                var read = await GetJsonAsync(client, $"/api/upload/files/{Id(file)}");
                Assert.That(Str(read, "name"), Is.EqualTo($"{tag}-{i}"), context);
                Assert.That(Str(read, "caption"), Is.EqualTo($"caption {i}"), context);
            }
            Assert.That(created.Select(Id), Is.Ordered.Ascending, "the answer lists the files in the order they were sent");
        }
    }

    [Test]
    public async Task FewerFileInfosThanFilesLeaveTheLastFilesWithTheirOwnNames()
    {
        var created = await UploadOkAsync(client,
            StrapiPart.File("first.txt", TextBytes(10), "text/plain"),
            StrapiPart.File("second.txt", TextBytes(11), "text/plain"),
            StrapiPart.FileInfo("""{"caption":"only the first"}"""));
        Assert.That(Str(created[0]!, "name"), Is.EqualTo("first.txt"));
        Assert.That(Str(created[0]!, "caption"), Is.EqualTo("only the first"));
        Assert.That(Str(created[1]!, "name"), Is.EqualTo("second.txt"));
        Assert.That(created[1]!["caption"], Is.Null);
    }
}
