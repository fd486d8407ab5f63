using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;

namespace AssetServer.Storage.S3;

/// <summary>An object in a listing.</summary>
public sealed record S3Entry(string Key, long Size, DateTimeOffset LastModified);

/// <summary>
/// The configured bucket and prefix, and the few S3 calls the server makes. Requests stay within what S3-compatible
/// servers share: checksums only where the API requires them (non-AWS servers reject the SDK's default trailers), no
/// chunked payload signing, ListObjectsV2, ranged GETs, multipart uploads with the upload id kept by the caller
/// (some servers have no ListMultipartUploads).
/// </summary>
public sealed class S3Bucket : IDisposable
{
    /// <summary>Files larger than this go up in parts of this size (S3 wants at least 5 MiB per part but the last).</summary>
    public const long PartBytes = 8L << 20;

    private readonly AmazonS3Client client;

    public S3Bucket(IOptions<StorageOptions> options)
    {
        var s3 = options.Value.S3;
        Name = s3.Bucket;
        Prefix = s3.Prefix;
        var config = new AmazonS3Config
        {
            ForcePathStyle = s3.ForcePathStyle,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            // A busy or restarting store answers 500/503 or drops a connection now and then: retried with backoff
            // (the SDK's standard mode) before a request fails.
            RetryMode = Amazon.Runtime.RequestRetryMode.Standard,
            MaxErrorRetry = 4,
        };
        if (!string.IsNullOrEmpty(s3.ServiceUrl))
        {
            config.ServiceURL = s3.ServiceUrl;
            config.AuthenticationRegion = s3.Region;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(s3.Region);
        }
        client = new AmazonS3Client(new BasicAWSCredentials(s3.AccessKey, s3.SecretKey), config);
    }

    public string Name { get; }

    public string Prefix { get; }

    public string OriginalKey(string name) => $"{Prefix}files/{name}";

    public string OriginalsFolder => Prefix + "files/";

    public string DerivativesFolder => Prefix + "derivatives/";

    public string DerivativesOf(string fileId) => $"{Prefix}derivatives/{fileId}/";

    /// <summary>
    /// Uploads a local file: one PUT when small, else a multipart upload whose parts are read from the file one at a
    /// time. <paramref name="started"/> learns the upload id before any part goes up, so a crash can abort it.
    /// </summary>
    public async Task PutFileAsync(string key, string path, long size, Func<string, Task> started, CancellationToken ct)
    {
        if (size <= PartBytes)
        {
            await client.PutObjectAsync(new PutObjectRequest { BucketName = Name, Key = key, FilePath = path, UseChunkEncoding = false }, ct);
            return;
        }
        var upload = await client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = Name, Key = key }, ct);
        var uploadId = upload.UploadId;
        try
        {
            await started(uploadId);
            var parts = new List<PartETag>();
            var number = 1;
            for (long position = 0; position < size; position += PartBytes, number++)
            {
                var part = await client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = Name,
                    Key = key,
                    UploadId = uploadId,
                    PartNumber = number,
                    FilePath = path,
                    FilePosition = position,
                    PartSize = Math.Min(PartBytes, size - position),
                    UseChunkEncoding = false,
                }, ct);
                parts.Add(new PartETag(number, part.ETag));
            }
            await client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = Name, Key = key, UploadId = uploadId, PartETags = parts,
            }, ct);
        }
        catch
        {
            try
            {
                await AbortAsync(key, uploadId);
            }
            catch (Exception)
            {
                // The intent keeps the upload id: the start-up sweep tries again.
            }
            throw;
        }
    }

    /// <summary>Writes a small object from memory.</summary>
    public Task PutBytesAsync(string key, byte[] bytes, CancellationToken ct) =>
        client.PutObjectAsync(new PutObjectRequest { BucketName = Name, Key = key, InputStream = new MemoryStream(bytes), UseChunkEncoding = false }, ct);

    /// <summary>
    /// Gives up a multipart upload so its parts are freed; true when done or already gone, false when the server
    /// refuses (s3rver has no AbortMultipartUpload: it answers 405 and keeps the parts).
    /// </summary>
    public async Task<bool> AbortAsync(string key, string uploadId)
    {
        try
        {
            await client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Name, Key = key, UploadId = uploadId });
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotImplemented)
        {
            return false;
        }
    }

    /// <summary>The object's length; null when it does not exist.</summary>
    public async Task<long?> LengthAsync(string key, CancellationToken ct)
    {
        try
        {
            var head = await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Name, Key = key }, ct);
            return head.ContentLength;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Copies <paramref name="count"/> bytes from <paramref name="offset"/> with one ranged GET, streaming.</summary>
    public async Task CopyRangeAsync(string key, long offset, long count, Stream destination, CancellationToken ct)
    {
        if (count == 0) return;
        using var response = await client.GetObjectAsync(new GetObjectRequest
        {
            BucketName = Name, Key = key, ByteRange = new ByteRange(offset, offset + count - 1),
        }, ct);
        await using var body = response.ResponseStream;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Min(64 * 1024, count));
        try
        {
            while (count > 0)
            {
                var read = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), ct);
                if (read == 0) throw new IOException($"The object {key} ended before its recorded length.");
                await destination.WriteAsync(buffer.AsMemory(0, read), ct);
                count -= read;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Downloads an object into a local file (created anew); false when the object does not exist.</summary>
    public async Task<bool> DownloadAsync(string key, string path, CancellationToken ct)
    {
        try
        {
            using var response = await client.GetObjectAsync(new GetObjectRequest { BucketName = Name, Key = key }, ct);
            await using var body = response.ResponseStream;
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await body.CopyToAsync(file, 1 << 16, ct);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Deletes one object; a missing one is no error (S3 answers 204 either way).</summary>
    public Task DeleteAsync(string key, CancellationToken ct = default) =>
        client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Name, Key = key }, ct);

    /// <summary>Every object under <paramref name="prefix"/>, a page (up to 1000) at a time.</summary>
    public async IAsyncEnumerable<S3Entry> ListAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        string? token = null;
        do
        {
            var page = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Name, Prefix = prefix, ContinuationToken = token }, ct);
            foreach (var item in page.S3Objects ?? [])
                yield return new S3Entry(item.Key, item.Size ?? 0, item.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : DateTimeOffset.MinValue);
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
    }

    public void Dispose() => client.Dispose();
}
