namespace AssetServer.Tus;

/// <summary>The <c>Tus</c> section: resumable uploads at <c>/files/tus</c>.</summary>
public sealed class TusOptions
{
    /// <summary>
    /// How long an unfinished upload is kept after its creation or its last chunk (Directus's
    /// <c>TUS_UPLOAD_EXPIRATION</c>, 10 minutes); then it is swept with its bytes. A duration such as <c>10m</c>.
    /// </summary>
    public string UploadExpiration { get; set; } = "10m";

    /// <summary>How often each node looks for expired uploads (and bytes no upload owns). A duration such as <c>1m</c>.</summary>
    public string SweepInterval { get; set; } = "1m";

    internal TimeSpan UploadExpirationSpan => Configuration.Durations.Parse(UploadExpiration, "Tus:UploadExpiration");

    internal TimeSpan SweepIntervalSpan => Configuration.Durations.Parse(SweepInterval, "Tus:SweepInterval");
}
