using System.Globalization;

namespace AssetServer.Tus;

/// <summary>
/// One row of <c>tus_uploads</c>: an upload in progress. <see cref="Metadata"/> is the client's <c>Upload-Metadata</c>
/// header as sent (it is answered back on <c>HEAD</c> and read again at completion); <see cref="Replaces"/> its
/// <c>id</c>; <see cref="Owner"/> the caller that created it (only that caller, or the admin, may go on with it).
/// </summary>
public sealed record TusUpload(
    string Id, long Length, long UploadOffset, string Metadata, string? Replaces, string Owner, string CreatedOn, string ExpiresOn)
{
    public DateTimeOffset Expires =>
        DateTimeOffset.Parse(ExpiresOn, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public bool IsComplete => UploadOffset == Length;
}
