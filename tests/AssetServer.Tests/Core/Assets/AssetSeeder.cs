using System.Globalization;
using System.Security.Cryptography;
using AssetServer.Data;
using AssetServer.Files;
using AssetServer.Storage;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Assets;

/// <summary>
/// Puts files straight into storage and the database (bytes through <see cref="FileStore"/>, row through
/// <see cref="FileRepository"/>), so the asset tests do not depend on <c>POST /files</c>.
/// </summary>
public static class AssetSeeder
{
    public static readonly DateTimeOffset DefaultModified = new(2026, 11, 23, 0, 12, 25, 478, TimeSpan.Zero);

    public static async Task<FileRecord> SeedAsync(AssetServerApp app, byte[] bytes, string filenameDownload, string type,
        DateTimeOffset? modifiedOn = null)
    {
        var id = Guid.NewGuid().ToString("D");
        var extension = Path.GetExtension(filenameDownload);
        var record = new FileRecord
        {
            Id = id,
            FilenameDisk = id + (extension.Length > 0 ? extension.ToLowerInvariant() : ".bin"),
            FilenameDownload = filenameDownload,
            Title = Path.GetFileNameWithoutExtension(filenameDownload),
            Type = type,
            CreatedOn = Iso(modifiedOn ?? DefaultModified),
            UploadedOn = Iso(modifiedOn ?? DefaultModified),
        };
        Describe(record, bytes, modifiedOn ?? DefaultModified);
        await WriteBytesAsync(app, record, bytes);
        var repository = app.Service<FileRepository>();
        await repository.InTransactionAsync(async (connection, tx) =>
        {
            await repository.InsertAsync(connection, tx, record);
            return 0;
        });
        return record;
    }

    public static Task<FileRecord> SeedJpegAsync(AssetServerApp app, int width, int height, string name = "photo.jpg") =>
        SeedAsync(app, TestImages.Jpeg(width, height), name, "image/jpeg");

    /// <summary>Replaces the bytes as the Files module does: new bytes, new checksum and sizes in the row, derivatives invalidated.</summary>
    public static async Task<FileRecord> ReplaceAsync(AssetServerApp app, FileRecord record, byte[] bytes, string type, DateTimeOffset modifiedOn)
    {
        var updated = record.Clone();
        updated.Type = type;
        Describe(updated, bytes, modifiedOn);
        await WriteBytesAsync(app, updated, bytes);
        var repository = app.Service<FileRepository>();
        await repository.InTransactionAsync((connection, tx) => repository.UpdateAsync(connection, tx, updated));
        await app.Service<IDerivativeInvalidator>().InvalidateAsync(record.Id);
        return updated;
    }

    /// <summary>Deletes as the Files module does: row, original and derivatives.</summary>
    public static async Task DeleteAsync(AssetServerApp app, FileRecord record)
    {
        var repository = app.Service<FileRepository>();
        await repository.InTransactionAsync((connection, tx) => repository.DeleteAsync(connection, tx, record.Id));
        await app.Service<IOriginalStore>().DeleteAsync(record.FilenameDisk);
        await app.Service<IDerivativeInvalidator>().InvalidateAsync(record.Id);
    }

    public static string Iso(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static void Describe(FileRecord record, byte[] bytes, DateTimeOffset modifiedOn)
    {
        record.Filesize = bytes.Length;
        record.Checksum = Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
        record.ModifiedOn = Iso(modifiedOn);
        if (record.Type is { } type && type.StartsWith("image/", StringComparison.Ordinal) && type != "image/svg+xml")
            (record.Width, record.Height) = TestImages.SizeOf(bytes);
    }

    /// <summary>Through the app's store of originals (local disk or the bucket), claimed as the Files module does.</summary>
    private static async Task WriteBytesAsync(AssetServerApp app, FileRecord record, byte[] bytes)
    {
        var temp = app.Service<FileStore>().NewTempPath();
        await File.WriteAllBytesAsync(temp, bytes);
        var originals = app.Service<IOriginalStore>();
        await originals.PutAsync(temp, record.FilenameDisk, bytes.Length, CancellationToken.None);
        var repository = app.Service<FileRepository>();
        await repository.InTransactionAsync(async (connection, tx) =>
        {
            await originals.ClaimAsync(connection, tx, record.FilenameDisk, CancellationToken.None);
            return true;
        });
    }
}
