namespace AssetServer.Storage;

/// <summary>The <c>Storage</c> section: where originals and shared derivatives live.</summary>
public sealed class StorageOptions
{
    public const string LocalProvider = "local";
    public const string S3Provider = "s3";

    /// <summary><c>local</c> (files under <c>Data:Path</c>) or <c>s3</c> (any S3-compatible object store).</summary>
    public string Provider { get; set; } = LocalProvider;

    /// <summary>The object store when <see cref="Provider"/> is <c>s3</c>.</summary>
    public S3StorageOptions S3 { get; set; } = new();

    /// <summary>
    /// In s3 mode, the local disk this node may use for hot copies: half for rendered derivatives, half for originals
    /// fetched to render from. Default 1 GiB.
    /// </summary>
    public long LocalCacheBytes { get; set; } = 1L << 30;

    public bool IsS3 => string.Equals(Provider, S3Provider, StringComparison.OrdinalIgnoreCase);
}

/// <summary>The <c>Storage:S3</c> section.</summary>
public sealed class S3StorageOptions
{
    /// <summary>Endpoint of an S3-compatible server (MinIO, Ceph RGW, R2, s3rver); empty for AWS itself (then <see cref="Region"/> picks it).</summary>
    public string ServiceUrl { get; set; } = "";

    /// <summary>The bucket; it must exist.</summary>
    public string Bucket { get; set; } = "";

    /// <summary>Access key id.</summary>
    public string AccessKey { get; set; } = "";

    /// <summary>Secret access key.</summary>
    public string SecretKey { get; set; } = "";

    /// <summary>Signing region.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Bucket in the path (<c>host/bucket/key</c>) rather than the host name; most non-AWS servers need it.</summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>Prepended to every key (<c>&lt;Prefix&gt;files/…</c>, <c>&lt;Prefix&gt;derivatives/…</c>), e.g. <c>assets/</c>; several servers can share one bucket by prefix.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>How long opening a connection to the store may take (a host that drops packets). Default <c>5s</c>.</summary>
    public string ConnectTimeout { get; set; } = "5s";

    /// <summary>
    /// The whole of a small call (HEAD, DELETE, a listing page, starting or aborting a multipart upload), retries
    /// included. Default <c>10s</c>.
    /// </summary>
    public string RequestTimeout { get; set; } = "10s";

    /// <summary>
    /// How long a transfer (a put, an 8 MiB part, completing a multipart upload, a download) may go without a byte
    /// moving or its answer arriving; a long transfer that makes progress is never cut. Default <c>10s</c>.
    /// </summary>
    public string TransferIdleTimeout { get; set; } = "10s";

    /// <summary>Retries of a call that failed with 500/503 or a dropped connection, within its deadline. Default 2.</summary>
    public int MaxErrorRetry { get; set; } = 2;
}
