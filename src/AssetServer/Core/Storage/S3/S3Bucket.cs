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
/// <para>
/// Every call has a deadline of its own, so a store that accepts connections but never answers holds no request for
/// long: a small call (HEAD, DELETE, a listing page, starting or aborting a multipart upload) gets
/// <see cref="S3StorageOptions.RequestTimeout"/> in all, retries included; a transfer (a put, a part, completing an
/// upload, a download) gets <see cref="S3StorageOptions.TransferIdleTimeout"/> without progress. A call that runs out
/// marks the store down (<see cref="S3Outage"/>) and throws <see cref="ObjectStoreUnavailableException"/>.
/// </para>
/// </summary>
public sealed class S3Bucket : IDisposable
{
    /// <summary>Files larger than this go up in parts of this size (S3 wants at least 5 MiB per part but the last).</summary>
    public const long PartBytes = 8L << 20;

    private readonly AmazonS3Client client;
    private readonly TimeSpan requestTimeout;
    private readonly TimeSpan idleTimeout;

    public S3Bucket(IOptions<StorageOptions> options)
    {
        var s3 = options.Value.S3;
        Name = s3.Bucket;
        Prefix = s3.Prefix;
        requestTimeout = Configuration.Durations.Parse(s3.RequestTimeout, "Storage:S3:RequestTimeout");
        idleTimeout = Configuration.Durations.Parse(s3.TransferIdleTimeout, "Storage:S3:TransferIdleTimeout");
        var config = new AmazonS3Config
        {
            ForcePathStyle = s3.ForcePathStyle,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            // A busy or restarting store answers 500/503 or drops a connection now and then: retried with backoff
            // (the SDK's standard mode) before a request fails.
            RetryMode = Amazon.Runtime.RequestRetryMode.Standard,
            MaxErrorRetry = s3.MaxErrorRetry,
            ConnectTimeout = Configuration.Durations.Parse(s3.ConnectTimeout, "Storage:S3:ConnectTimeout"),
            // Each call is bounded by its own deadline (below). HttpClient's 100 s per attempt would cut a large part
            // on a slow link, and with retries let a silent store hold a request for minutes.
            Timeout = Timeout.InfiniteTimeSpan,
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

    /// <summary>Whether the store is known to be down, shared by every call.</summary>
    public S3Outage Outage { get; } = new();

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
            await TransferAsync("a put", deadline =>
            {
                var put = new PutObjectRequest { BucketName = Name, Key = key, FilePath = path, UseChunkEncoding = false };
                put.StreamTransferProgress += (_, _) => deadline.Progressed();
                return client.PutObjectAsync(put, deadline.Token);
            }, ct);
            return;
        }
        var upload = await CallAsync("starting a multipart upload",
            token => client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = Name, Key = key }, token), ct);
        var uploadId = upload.UploadId;
        try
        {
            await started(uploadId);
            var parts = new List<PartETag>();
            var number = 1;
            for (long position = 0; position < size; position += PartBytes, number++)
            {
                var request = new UploadPartRequest
                {
                    BucketName = Name,
                    Key = key,
                    UploadId = uploadId,
                    PartNumber = number,
                    FilePath = path,
                    FilePosition = position,
                    PartSize = Math.Min(PartBytes, size - position),
                    UseChunkEncoding = false,
                };
                var part = await TransferAsync("a part of an upload", deadline =>
                {
                    request.StreamTransferProgress += (_, _) => deadline.Progressed();
                    return client.UploadPartAsync(request, deadline.Token);
                }, ct);
                parts.Add(new PartETag(number, part.ETag));
            }
            // A transfer too: the store copies the parts together before it answers (AWS keeps the connection alive meanwhile).
            await TransferAsync("completing an upload", deadline => client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = Name, Key = key, UploadId = uploadId, PartETags = parts,
            }, deadline.Token), ct);
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
        CallAsync("a put", token => client.PutObjectAsync(
            new PutObjectRequest { BucketName = Name, Key = key, InputStream = new MemoryStream(bytes), UseChunkEncoding = false }, token), ct);

    /// <summary>
    /// Writes and deletes a one-byte object, even while the store is marked down (this is how health checks look):
    /// an answer marks it up.
    /// </summary>
    public async Task ProbeAsync(string key, CancellationToken ct)
    {
        await CallAsync("a probe put", token => client.PutObjectAsync(
            new PutObjectRequest { BucketName = Name, Key = key, InputStream = new MemoryStream([1]), UseChunkEncoding = false }, token), ct, evenIfDown: true);
        await CallAsync("a probe delete", token => client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Name, Key = key }, token), ct, evenIfDown: true);
    }

    /// <summary>
    /// Gives up a multipart upload so its parts are freed; true when done or already gone, false when the server
    /// refuses (s3rver has no AbortMultipartUpload: it answers 405 and keeps the parts).
    /// </summary>
    public async Task<bool> AbortAsync(string key, string uploadId)
    {
        try
        {
            await CallAsync("aborting an upload", token =>
                client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Name, Key = key, UploadId = uploadId }, token), default);
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
            var head = await CallAsync("a HEAD", token => client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Name, Key = key }, token), ct);
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
        await TransferAsync("a ranged GET", async deadline =>
        {
            using var response = await client.GetObjectAsync(new GetObjectRequest
            {
                BucketName = Name, Key = key, ByteRange = new ByteRange(offset, offset + count - 1),
            }, deadline.Token);
            await using var body = response.ResponseStream;
            await CopyAsync(body, destination, count, deadline);
            return true;
        }, ct);
    }

    /// <summary>Copies <paramref name="count"/> bytes (or all of them, when null), each read moving the deadline on.</summary>
    private static async Task CopyAsync(Stream body, Stream destination, long? count, TransferDeadline deadline)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var left = count ?? long.MaxValue;
            while (left > 0)
            {
                var read = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), deadline.Token);
                if (read == 0)
                {
                    if (count is null) return;
                    throw new IOException($"An object ended {left} bytes before its recorded length.");
                }
                deadline.Progressed();
                await destination.WriteAsync(buffer.AsMemory(0, read), deadline.Token);
                left -= read;
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
            return await TransferAsync("a download", async deadline =>
            {
                using var response = await client.GetObjectAsync(new GetObjectRequest { BucketName = Name, Key = key }, deadline.Token);
                await using var body = response.ResponseStream;
                await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
                await CopyAsync(body, file, null, deadline);
                return true;
            }, ct);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Deletes one object; a missing one is no error (S3 answers 204 either way).</summary>
    public Task DeleteAsync(string key, CancellationToken ct = default) =>
        CallAsync("a delete", token => client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Name, Key = key }, token), ct);

    /// <summary>Every object under <paramref name="prefix"/>, a page (up to 1000) at a time.</summary>
    public async IAsyncEnumerable<S3Entry> ListAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        string? token = null;
        do
        {
            var from = token;
            var page = await CallAsync("a listing", t =>
                client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Name, Prefix = prefix, ContinuationToken = from }, t), ct);
            foreach (var item in page.S3Objects ?? [])
                yield return new S3Entry(item.Key, item.Size ?? 0, item.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : DateTimeOffset.MinValue);
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
    }

    /// <summary>A small call, retries included, within <see cref="S3StorageOptions.RequestTimeout"/>.</summary>
    private async Task<T> CallAsync<T>(string call, Func<CancellationToken, Task<T>> send, CancellationToken ct, bool evenIfDown = false)
    {
        var trial = !evenIfDown && Outage.Admit();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(requestTimeout);
        try
        {
            var result = await send(deadline.Token);
            Outage.Up();
            return result;
        }
        catch (Exception e) when (Outage.Classify(e, ct, call, requestTimeout) is { } unavailable)
        {
            throw unavailable;
        }
        catch (AmazonServiceException)
        {
            // A refusal (404, 403) is an answer all the same.
            Outage.Up();
            throw;
        }
        finally
        {
            Outage.EndTrial(trial);
        }
    }

    /// <summary>A transfer, cancelled after <see cref="S3StorageOptions.TransferIdleTimeout"/> without progress.</summary>
    private async Task<T> TransferAsync<T>(string call, Func<TransferDeadline, Task<T>> send, CancellationToken ct)
    {
        var trial = Outage.Admit();
        using var deadline = new TransferDeadline(idleTimeout, ct);
        try
        {
            var result = await send(deadline);
            Outage.Up();
            return result;
        }
        catch (Exception e) when (Outage.Classify(e, ct, call, idleTimeout) is { } unavailable)
        {
            throw unavailable;
        }
        catch (AmazonServiceException)
        {
            Outage.Up();
            throw;
        }
        finally
        {
            Outage.EndTrial(trial);
        }
    }

    public void Dispose() => client.Dispose();
}
