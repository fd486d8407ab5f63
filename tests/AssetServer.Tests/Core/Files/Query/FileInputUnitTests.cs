using System.Text.Json.Nodes;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Files.Import;
using System.Net;

namespace AssetServer.Tests.Files.Query;

public class FileInputUnitTests
{
    [TestCase("../../etc/passwd", "passwd")]
    [TestCase("C:\\Users\\x\\photo.jpg", "photo.jpg")]
    [TestCase("in\u202Egpj.exe", "ingpj.exe")]
    [TestCase("a\0b\u0007c.png", "abc.png")]
    [TestCase("   ", "file")]
    [TestCase("..", "file")]
    [TestCase(".hidden.jpg", ".hidden.jpg")]
    public void FileNamesAreSanitised(string raw, string expected) =>
        Assert.That(FileNames.Sanitise(raw), Is.EqualTo(expected));

    [Test]
    public void LongFileNamesKeepTheirExtension()
    {
        var name = FileNames.Sanitise(new string('a', 10000) + ".jpeg");
        Assert.That(name, Has.Length.EqualTo(FileNames.MaxLength));
        Assert.That(name, Does.EndWith(".jpeg"));
    }

    [TestCase("""{"filesize":1}""")]
    [TestCase("""{"id":"x"}""")]
    [TestCase("""{"nope":1}""")]
    [TestCase("""{"tags":[1,2]}""")]
    [TestCase("""{"focal_point_x":-3}""")]
    [TestCase("""{"folder":"not-a-uuid"}""")]
    [TestCase("""{"metadata":[1]}""")]
    public void BadPatchFieldsAreInvalidPayload(string json)
    {
        var error = Assert.Throws<ApiException>(() => FileInput.FromJson(JsonNode.Parse(json)!.AsObject(), creating: false, new FilesOptions()))!;
        Assert.That(error.Code, Is.EqualTo("INVALID_PAYLOAD"));
    }

    [Test]
    public void MultipartTextBecomesTypedValues()
    {
        var input = new FileInput(new FilesOptions());
        input.SetText("tags", """["a","b"]""");
        input.SetText("description", "null");
        input.SetText("focal_point_x", "12");
        var record = new FileRecord { Description = "old" };
        input.ApplyTo(record);
        Assert.That(record.Tags, Is.EqualTo("""["a","b"]"""));
        Assert.That(record.Description, Is.Null);
        Assert.That(record.FocalPointX, Is.EqualTo(12));
    }

    [TestCase("127.0.0.1", false)]
    [TestCase("10.1.2.3", false)]
    [TestCase("172.31.0.1", false)]
    [TestCase("192.168.0.10", false)]
    [TestCase("169.254.169.254", false)]
    [TestCase("0.0.0.0", false)]
    [TestCase("100.64.0.1", false)]
    [TestCase("::1", false)]
    [TestCase("::", false)]
    [TestCase("fe80::1", false)]
    [TestCase("fd00::1", false)]
    [TestCase("::ffff:127.0.0.1", false)]
    [TestCase("::ffff:10.0.0.1", false)]
    [TestCase("64:ff9b::a9fe:a9fe", false)]
    [TestCase("2002:7f00:1::", false)]
    [TestCase("93.184.216.34", true)]
    [TestCase("2606:4700::1111", true)]
    public void AddressGuardAllowsOnlyPublicUnicast(string address, bool isPublic) =>
        Assert.That(AddressGuard.IsPublic(IPAddress.Parse(address)), Is.EqualTo(isPublic));
}
