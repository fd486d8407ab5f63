namespace AssetServer.Files;

/// <summary>The <c>Files</c> section: list paging defaults.</summary>
public sealed class FilesOptions
{
    /// <summary>Rows returned when a list query gives no <c>limit</c> (Directus: 100).</summary>
    public int DefaultLimit { get; set; } = 100;

    /// <summary>Most rows one list query returns, also for <c>limit=-1</c>; 0 means no cap.</summary>
    public int MaxLimit { get; set; } = 10000;

    /// <summary>
    /// A search term of one or two characters (too short for the trigram index) looks only at the first this many
    /// files of the list in its order, newest first by default (issue 21): its cost stays bounded on a large library.
    /// </summary>
    public int ShortSearchRows { get; set; } = 3000;

    /// <summary>
    /// Largest <c>metadata</c> a client may set on a file, in bytes of JSON (default 64 KiB); past it the write is
    /// refused with 413. Scraped metadata is not bound by it.
    /// </summary>
    public int MaxMetadataBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Most bytes of rows one list answer may read (default 128 MiB): the stored size of every column read, charged
    /// row by row (<c>GET</c>/<c>SEARCH /files</c>, <c>/_/files</c>, Strapi's lists, revisions and activity). A list
    /// refused before its first bytes go out is a 413 <c>CONTENT_TOO_LARGE</c>; one already streaming is cut (the
    /// connection is reset, so no client takes it for a whole answer).
    /// </summary>
    public long MaxResponseBytes { get; set; } = 128L << 20;

    /// <summary>
    /// Earlier originals kept per file when its content is replaced (default 5, oldest pruned first; 0 keeps none),
    /// so that <c>POST /files/:id/revert/:revision</c> can bring their bytes back.
    /// </summary>
    public int KeepVersions { get; set; } = 5;
}

/// <summary>The <c>Uploads</c> section: what may be uploaded.</summary>
public sealed class UploadsOptions
{
    /// <summary>Largest accepted file in bytes (default 1 GiB); past it the upload is refused with 413.</summary>
    public long MaxBytes { get; set; } = 1L << 30;

    /// <summary>MIME patterns (<c>image/*</c>, <c>application/pdf</c>) accepted; empty means all.</summary>
    public string[] AllowedTypes { get; set; } = [];

    /// <summary>MIME patterns refused even when allowed.</summary>
    public string[] DeniedTypes { get; set; } = [];

    public bool IsAllowed(string mime) =>
        (AllowedTypes.Length == 0 || AllowedTypes.Any(p => Matches(p, mime))) && !DeniedTypes.Any(p => Matches(p, mime));

    private static bool Matches(string pattern, string mime)
    {
        pattern = pattern.Trim();
        if (pattern is "*" or "*/*") return true;
        return pattern.EndsWith("/*", StringComparison.Ordinal)
            ? mime.StartsWith(pattern[..^1], StringComparison.OrdinalIgnoreCase)
            : string.Equals(pattern, mime, StringComparison.OrdinalIgnoreCase);
    }
}
