using System.Net;
using System.Text;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Files.FilesKit;

namespace AssetServer.Tests.Files;

/// <summary>
/// <c>Uploads:AllowedTypes</c> set the way API.md and the README show it: one value
/// (<c>ASSETSERVER_Uploads__AllowedTypes=image/*</c>), not an indexed list.
/// </summary>
public class FileUploadConfigTests
{
    [Test]
    public async Task AllowedTypesAsOneValueIsEnforced()
    {
        using var app = new AssetServerApp(("Uploads:AllowedTypes", "image/*"));
        var before = await SnapshotAsync(app);
        using var response = await app.UploadAsync(Encoding.UTF8.GetBytes("plain words\n"), "notes.txt", "text/plain");
        await AssertErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
        await AssertNothingLeftBehindAsync(app, before);
    }
}
