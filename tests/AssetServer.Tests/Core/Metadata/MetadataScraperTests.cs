using System.Text.Json.Nodes;
using AssetServer.Metadata;
using AssetServer.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NetVips;

namespace AssetServer.Tests.Metadata;

public class MetadataScraperTests
{
    private string folder = "";

    [SetUp]
    public void CreateFolder()
    {
        folder = Path.Combine(Path.GetTempPath(), "scraper-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(folder, recursive: true);

    private static MetadataScraper Scraper(params string[] allowList) =>
        new(Options.Create(new MetadataOptions { AllowList = allowList }), NullLogger<MetadataScraper>.Instance);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Test]
    public void PhotoReportsDisplayDimensionsAfterOrientation()
    {
        var scraped = Scraper().Scrape(Fixtures.Path("photo_exif.jpg"), "image/jpeg");

        Assert.That((scraped.Width, scraped.Height), Is.EqualTo((40, 64)));
    }

    [Test]
    public void PhotoExifHasReadableNamesAndJsonNumbers()
    {
        var exif = Scraper().Scrape(Fixtures.Path("photo_exif.jpg"), "image/jpeg").Metadata!["exif"]!.AsObject();

        Assert.Multiple(() =>
        {
            Assert.That(exif["Make"]!.GetValue<string>(), Is.EqualTo("Canon"));
            Assert.That(exif["Model"]!.GetValue<string>(), Is.EqualTo("Canon EOS R6"));
            Assert.That(exif["FNumber"]!.GetValue<double>(), Is.EqualTo(5.6));
            Assert.That(exif["ExposureTime"]!.GetValue<double>(), Is.EqualTo(0.002));
            Assert.That(exif["FocalLength"]!.GetValue<double>(), Is.EqualTo(105));
            Assert.That(exif["ISOSpeedRatings"]!.GetValue<long>(), Is.EqualTo(400));
            Assert.That(exif["Orientation"]!.GetValue<long>(), Is.EqualTo(6));
            Assert.That(exif["DateTimeOriginal"]!.GetValue<string>(), Is.EqualTo("2023-06-14T09:41:27"));
            Assert.That(exif["LensModel"]!.GetValue<string>(), Is.EqualTo("RF100-500mm F4.5-7.1 L IS USM"));
            Assert.That(exif["ExifVersion"]!.GetValue<string>(), Is.EqualTo("0210"));
            Assert.That(exif["GPSLatitudeRef"]!.GetValue<string>(), Is.EqualTo("N"));
            Assert.That(exif["GPSLatitude"]!.AsArray().Select(n => n!.GetValue<double>()), Is.EqualTo(new[] { 48, 51, 30.24 }));
            Assert.That(exif["GPSLongitude"]!.AsArray().Select(n => n!.GetValue<double>()), Is.EqualTo(new[] { 2, 17, 40.2 }));
            Assert.That(exif["GPSAltitude"]!.GetValue<double>(), Is.EqualTo(35));
            Assert.That(exif["GPSVersionID"]!.AsArray().Select(n => n!.GetValue<int>()), Is.EqualTo(new[] { 2, 3, 0, 0 }));
        });
    }

    [Test]
    public void PhotoExifHasNoBinaryBlobs()
    {
        var exif = Scraper().Scrape(Fixtures.Path("photo_exif.jpg"), "image/jpeg").Metadata!["exif"]!.AsObject();

        Assert.That(exif.Select(p => p.Key), Has.None.AnyOf("ComponentsConfiguration", "MakerNote", "ThumbnailOffset", "JPEGInterchangeFormat"));
        Assert.That(exif.ToJsonString(), Does.Not.Contain("System.Byte"));
    }

    [Test]
    public void PhotoIptcHasCaptionKeywordsAndLocation()
    {
        var iptc = Scraper().Scrape(Fixtures.Path("photo_exif.jpg"), "image/jpeg").Metadata!["iptc"]!.AsObject();

        Assert.Multiple(() =>
        {
            Assert.That(iptc["caption"]!.GetValue<string>(), Is.EqualTo("A Eurasian nuthatch (Kleiber) climbing down a tree trunk."));
            Assert.That(iptc["keywords"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "bird", "nuthatch", "tree", "wildlife" }));
            Assert.That(iptc["headline"]!.GetValue<string>(), Is.EqualTo("Nuthatch in Paris"));
            Assert.That(iptc["objectName"]!.GetValue<string>(), Is.EqualTo("nuthatch-01"));
            Assert.That(iptc["byline"]!.GetValue<string>(), Is.EqualTo("Jane Doe"));
            Assert.That(iptc["copyright"]!.GetValue<string>(), Is.EqualTo("(c) 2023 Jane Doe"));
            Assert.That(iptc["credit"]!.GetValue<string>(), Is.EqualTo("Jane Doe Photography"));
            Assert.That(iptc["city"]!.GetValue<string>(), Is.EqualTo("Paris"));
            Assert.That(iptc["country"]!.GetValue<string>(), Is.EqualTo("France"));
            Assert.That(iptc["dateCreated"]!.GetValue<string>(), Is.EqualTo("2023-06-14T09:41:27+02:00"));
        });
    }

    [Test]
    public void PhotoIccDescribesTheEmbeddedSrgbProfile()
    {
        var icc = Scraper().Scrape(Fixtures.Path("photo_exif.jpg"), "image/jpeg").Metadata!["icc"]!.AsObject();

        Assert.Multiple(() =>
        {
            Assert.That(icc["description"]!.GetValue<string>(), Is.EqualTo("sRGB"));
            Assert.That(icc["copyright"]!.GetValue<string>(), Is.EqualTo("CC0"));
            Assert.That(icc["version"]!.GetValue<string>(), Is.EqualTo("4.2"));
            Assert.That(icc["deviceClass"]!.GetValue<string>(), Is.EqualTo("Monitor"));
            Assert.That(icc["colorSpace"]!.GetValue<string>(), Is.EqualTo("RGB"));
            Assert.That(icc["connectionSpace"]!.GetValue<string>(), Is.EqualTo("XYZ"));
            Assert.That(icc["intent"]!.GetValue<string>(), Is.EqualTo("Perceptual"));
            Assert.That(icc["platform"]!.GetValue<string>(), Is.EqualTo("Microsoft"));
            Assert.That(icc["whitepoint"]!.AsArray().Select(n => n!.GetValue<double>()), Is.EqualTo(new[] { 0.9642, 1, 0.8249 }));
        });
    }

    [Test]
    public void PhotoXmpIsAFlatObjectOfPaths()
    {
        var xmp = Scraper().Scrape(Fixtures.Path("photo_exif.jpg"), "image/jpeg").Metadata!["xmp"]!.AsObject();

        Assert.Multiple(() =>
        {
            Assert.That(xmp["dc:title"]!.GetValue<string>(), Is.EqualTo("Nuthatch"));
            Assert.That(xmp["dc:description"]!.GetValue<string>(), Is.EqualTo("A nuthatch on a tree."));
            Assert.That(xmp["dc:rights"]!.GetValue<string>(), Is.EqualTo("(c) 2023 Jane Doe"));
            Assert.That(xmp["dc:creator"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "Jane Doe" }));
            Assert.That(xmp["dc:subject"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "bird", "nuthatch" }));
            Assert.That(xmp.Select(p => p.Key), Has.None.Contains("xml:lang"));
        });
    }

    [Test]
    public void PhotoFillsTitleDescriptionTagsAndLocationFromIptc()
    {
        var scraped = Scraper().Scrape(Fixtures.Path("photo_exif.jpg"), "image/jpeg");

        Assert.Multiple(() =>
        {
            Assert.That(scraped.Title, Is.EqualTo("Nuthatch in Paris"));
            Assert.That(scraped.Description, Is.EqualTo("A Eurasian nuthatch (Kleiber) climbing down a tree trunk."));
            Assert.That(scraped.Tags, Is.EqualTo(new[] { "bird", "nuthatch", "tree", "wildlife" }));
            Assert.That(scraped.Location, Is.EqualTo("Paris, France"));
        });
    }

    [Test]
    public void PhotoWithoutIptcFallsBackToGpsExifAndXmp()
    {
        var scraped = Scraper().Scrape(Fixtures.Path("photo_gps.jpg"), "image/jpeg");

        Assert.Multiple(() =>
        {
            Assert.That(scraped.Metadata!.ContainsKey("iptc"), Is.False);
            Assert.That(scraped.Location, Is.EqualTo("48.858400, 2.294500"));
            Assert.That(scraped.Description, Is.EqualTo("EXIF description"));
            Assert.That(scraped.Tags, Is.EqualTo(new[] { "bird", "nuthatch" }));
            Assert.That(scraped.Title, Is.EqualTo("Nuthatch"));
            Assert.That((scraped.Width, scraped.Height), Is.EqualTo((40, 64)));
        });
    }

    [Test]
    public void AllowListKeepsOnlyListedKeysAndGroups()
    {
        var scraped = Scraper("exif.Make", "exif.FNumber", "icc.*").Scrape(Fixtures.Path("photo_exif.jpg"), "image/jpeg");

        Assert.Multiple(() =>
        {
            Assert.That(scraped.Metadata!.Select(p => p.Key), Is.EquivalentTo(new[] { "exif", "icc" }));
            Assert.That(scraped.Metadata!["exif"]!.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "Make", "FNumber" }));
            Assert.That(scraped.Metadata!["icc"]!["description"]!.GetValue<string>(), Is.EqualTo("sRGB"));
            Assert.That(scraped.Description, Is.EqualTo("A Eurasian nuthatch (Kleiber) climbing down a tree trunk."), "derived fields ignore the allow-list");
        });
    }

    [Test]
    public void PlainPngHasEmptyMetadata()
    {
        // libvips writes an eXIf chunk (resolution, orientation) unless told to keep nothing.
        var path = Write("plain.png", TestImages.Gradient(30, 20).PngsaveBuffer(keep: Enums.ForeignKeep.None));

        var scraped = Scraper().Scrape(path, "image/png");

        Assert.Multiple(() =>
        {
            Assert.That((scraped.Width, scraped.Height), Is.EqualTo((30, 20)));
            Assert.That(scraped.Metadata!.ToJsonString(), Is.EqualTo("{}"));
            Assert.That(scraped.Title, Is.Null);
            Assert.That(scraped.Tags, Is.Null);
            Assert.That(scraped.Location, Is.Null);
        });
    }

    private static readonly TestCaseData[] OtherFormats =
    [
        new TestCaseData((Func<byte[]>)(() => TestImages.Gif(33, 21)), "image/gif").SetName("GIF size"),
        new TestCaseData((Func<byte[]>)(() => TestImages.Webp(33, 21)), "image/webp").SetName("WebP size"),
        new TestCaseData((Func<byte[]>)(() => TestImages.Tiff(33, 21)), "image/tiff").SetName("TIFF size"),
        new TestCaseData((Func<byte[]>)(() => TestImages.Gradient(33, 21).HeifsaveBuffer(compression: Enums.ForeignHeifCompression.Av1)), "image/avif").SetName("AVIF size"),
    ];

    [TestCaseSource(nameof(OtherFormats))]
    public void OtherImageFormatsReportTheirSize(Func<byte[]> encode, string type)
    {
        var path = Write("image", encode());

        var scraped = Scraper().Scrape(path, type);

        Assert.That((scraped.Width, scraped.Height), Is.EqualTo((33, 21)));
        Assert.That(scraped.Metadata, Is.Not.Null);
    }

    [Test]
    public void TextFileHasNoMetadata()
    {
        var path = Write("notes.txt", "just words"u8.ToArray());

        var scraped = Scraper().Scrape(path, "text/plain");

        Assert.That(scraped, Is.EqualTo(ScrapedMetadata.None));
    }

    [Test]
    public void GarbageLabelledAsImageDoesNotThrow()
    {
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        var path = Write("broken.png", bytes);
        var logger = new ListLogger();

        var scraped = new MetadataScraper(Options.Create(new MetadataOptions()), logger).Scrape(path, "image/png");

        Assert.Multiple(() =>
        {
            Assert.That(scraped.Metadata, Is.Null);
            Assert.That(scraped.Width, Is.Null);
            Assert.That(logger.Levels, Does.Contain(LogLevel.Warning));
        });
    }

    [Test]
    public void TruncatedJpegStillReportsItsSize()
    {
        // Cut inside the entropy-coded data, after the start-of-scan marker, as a broken download would.
        var bytes = File.ReadAllBytes(Fixtures.Path("photo_exif.jpg"));
        var path = Write("truncated.jpg", bytes[..(bytes.Length - 100)]);

        var scraped = Scraper().Scrape(path, "image/jpeg");

        Assert.That((scraped.Width, scraped.Height), Is.EqualTo((40, 64)));
        Assert.That(scraped.Metadata!["iptc"]!["city"]!.GetValue<string>(), Is.EqualTo("Paris"));
    }

    [Test]
    public void PngWithAForgedChunkLengthReportsItsHeader()
    {
        var png = TestImages.Gradient(30, 20).PngsaveBuffer(keep: Enums.ForeignKeep.None);
        var forged = png[..33].Concat(new byte[] { 0x7F, 0xFF, 0xFF, 0xF0, (byte)'I', (byte)'D', (byte)'A', (byte)'T', 1, 2, 3 }).ToArray();
        var path = Write("forged.png", forged);

        var scraped = Scraper().Scrape(path, "image/png");

        Assert.That((scraped.Width, scraped.Height), Is.EqualTo((30, 20)));
        Assert.That(scraped.Metadata!.ToJsonString(), Is.EqualTo("{}"));
    }

    /// <summary>Not a benchmark: decoding 50000×50000 would need 7.5 GB and minutes, so the limit only catches a decode.</summary>
    [Test]
    [MaxTime(10_000)]
    public void DecompressionBombHeaderIsReportedWithoutDecoding()
    {
        var scraped = Scraper().Scrape(Fixtures.Path("bomb_50000x50000.png"), "image/png");

        Assert.Multiple(() =>
        {
            Assert.That((scraped.Width, scraped.Height), Is.EqualTo((50000, 50000)));
            Assert.That(scraped.Metadata!.ToJsonString(), Is.EqualTo("{}"));
        });
    }

    private sealed class ListLogger : ILogger<MetadataScraper>
    {
        public List<LogLevel> Levels { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Levels.Add(logLevel);
    }
}
