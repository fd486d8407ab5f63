using AssetServer.Errors;
using AssetServer.Tests.Support;
using AssetServer.Transforms;
using AssetServer.Transforms.Steps;
using NetVips;

namespace AssetServer.Tests.Transforms;

/// <summary>
/// libvips keeps one error buffer per process: a failure on another thread can clear or replace a render's error text
/// (seen in the full suite once placeholders were decoded in the background, issue 17). The source decides then.
/// </summary>
public class VipsFailureTests
{
    private string folder = "";

    [SetUp]
    public void MakeFolder() => folder = Directory.CreateTempSubdirectory("vipsfailure").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(folder, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Test]
    public void AFailureWhoseTextWasLostIsTheSourcesWhenTheSourceDoesNotDecode_Issue17()
    {
        var whole = TestImages.Jpeg(400, 300);
        var path = Write("cut.jpg", whole[..(whole.Length / 2)]);
        var failure = VipsFailure.Classify(new VipsException(""), path);
        Assert.That(failure, Is.InstanceOf<ApiException>());
        Assert.That(((ApiException)failure).Status, Is.EqualTo(400));
    }

    [Test]
    public void AFailureWhoseTextWasLostIsTheRenderWhenTheSourceDecodes_Issue17()
    {
        var path = Write("whole.jpg", TestImages.Jpeg(400, 300));
        Assert.That(VipsFailure.Classify(new VipsException("webpsave: image too large"), path), Is.InstanceOf<RenderFailedException>());
        Assert.That(VipsFailure.Classify(new VipsException(""), path), Is.InstanceOf<RenderFailedException>());
    }

    [Test]
    public void AFailureThatNamesALoaderIsTheSources()
    {
        var path = Write("whole.png", TestImages.Png(40, 30));
        var failure = VipsFailure.Classify(new VipsException("pngload: libpng read error"), path);
        Assert.That(failure, Is.InstanceOf<ApiException>());
    }
}
