using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AssetServer.Assets.Store;
using AssetServer.Errors;
using Microsoft.Net.Http.Headers;

namespace AssetServer.Assets;

/// <summary>
/// What is known about an asset before its bytes are needed, so that a revalidation (304) of a derivative
/// is answered without rendering it. <see cref="OpenAsync"/> yields the bytes, open: the original, or the
/// derivative (rendered on a miss); null when the file's bytes were replaced or deleted since its row was read.
/// <see cref="IsOriginal"/>: the stored bytes themselves, charged to the client's read budget when sent.
/// </summary>
public sealed record AssetRepresentation(
    string ContentType,
    EntityTagHeaderValue ETag,
    DateTimeOffset? LastModified,
    string CacheControl,
    string Disposition,
    bool VariesByAccept,
    Func<CancellationToken, ValueTask<AssetHandle?>> OpenAsync,
    bool IsOriginal = false)
{
    /// <summary>HTTP dates have whole seconds; comparisons use the value as sent.</summary>
    public DateTimeOffset? LastModifiedSeconds { get; } = LastModified is { } lm ? AssetResponder.TruncateToSeconds(lm) : null;

    // Header texts made once per representation (the memo reuses representations across requests).
    public string ETagText { get; } = ETag.ToString();
    public string? LastModifiedText { get; } = LastModified is { } lm ? HeaderUtilities.FormatDate(AssetResponder.TruncateToSeconds(lm)) : null;
    public string ContentSecurityPolicy { get; } =
        AssetResponder.IsActiveContent(ContentType) ? AssetResponder.ActiveContentPolicy : AssetResponder.PassiveContentPolicy;
}

/// <summary>
/// Writes an asset with HTTP caching and ranges: preconditions (RFC 9110 §13), single ranges as 206, several as
/// <c>multipart/byteranges</c> (§14.6), 416 in the error shape. Bytes come from one open <see cref="AssetHandle"/>
/// (memory, or a file read in 64 KiB pieces), never from a path that may vanish. It only writes: finding the row and
/// opening the bytes (and reading again when they were replaced) is <see cref="AssetResolver"/>'s.
/// ASP.NET Core's own range handling (<c>Results.Stream</c>/<c>Results.File</c> with range processing) does not fit:
/// it needs the stream open before the preconditions are evaluated (a render for every 304 of a derivative), answers
/// 412 and 416 without the error shape, and turns a multi-range request into a full 200.
/// </summary>
public static class AssetResponder
{
    /// <summary>Scripts in SVG/HTML/XML must not run on our origin: no sub-resources, inline styles only, sandboxed (no script, unique origin).</summary>
    public const string ActiveContentPolicy = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

    /// <summary>What Directus sends on every asset (§4); passive types need nothing stricter.</summary>
    public const string PassiveContentPolicy = "default-src 'none'";

    /// <summary>Validators and caching headers, then the preconditions; false when they answered (304).</summary>
    public static bool WriteValidators(HttpContext context, AssetRepresentation asset)
    {
        var request = context.Request;
        var response = context.Response;
        var isGetOrHead = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);

        // Validators and caching go on every answer, the 304 included (RFC 9110 §15.4.5).
        response.Headers.ETag = asset.ETagText;
        if (asset.LastModifiedText is { } modified) response.Headers.LastModified = modified;
        response.Headers.CacheControl = asset.CacheControl;
        if (asset.VariesByAccept) response.Headers.Vary = "Accept";
        else response.Headers.Remove(HeaderNames.Vary);
        response.Headers.AcceptRanges = "bytes";
        response.Headers.XContentTypeOptions = "nosniff";

        if (!Preconditions.Any(request)) return true;
        switch (Preconditions.Evaluate(request, asset.ETag, asset.LastModifiedSeconds, isGetOrHead))
        {
            case PreconditionResult.Failed:
                throw new ApiException(412, "PRECONDITION_FAILED", "Precondition failed.");
            case PreconditionResult.NotModified:
                response.StatusCode = StatusCodes.Status304NotModified;
                return false;
        }
        return true;
    }

    /// <summary>
    /// The body (or the ranges asked for) from <paramref name="handle"/>, with its headers. <paramref name="charge"/>
    /// gets the bytes about to be sent before the status is set (a budget refuses while an error can still be sent).
    /// </summary>
    public static async Task SendAsync(HttpContext context, AssetRepresentation asset, AssetHandle handle, Action<long>? charge = null)
    {
        var request = context.Request;
        var response = context.Response;
        var length = handle.Length;
        var lastModified = asset.LastModifiedSeconds;
        SetContentHeaders(response, asset);

        // Range is defined for GET only (RFC 9110 §14.2); If-Range turns it off when the client's copy is stale (§13.1.5).
        var rangeHeader = request.Headers.Range.ToString();
        var ranges = HttpMethods.IsGet(request.Method) && rangeHeader.Length > 0 && Preconditions.IfRangeHolds(request, asset.ETag, lastModified)
            ? ByteRanges.Resolve(rangeHeader, length)
            : null;

        if (ranges is { Count: 0 })
        {
            var error = ApiErrors.RangeNotSatisfiable(rangeHeader);
            throw new ApiException(error.Status, error.Code, error.Message, error.Extensions)
            {
                Headers = new Dictionary<string, string> { ["Content-Range"] = $"bytes */{length}" },
            };
        }

        var head = HttpMethods.IsHead(request.Method);
        var aborted = context.RequestAborted;
        if (ranges is null)
        {
            if (!head) charge?.Invoke(length);
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentLength = length;
            if (head) return;
            await handle.CopyToAsync(response.BodyWriter, 0, length, aborted);
            return;
        }

        charge?.Invoke(ranges.Sum(r => r.Length));
        response.StatusCode = StatusCodes.Status206PartialContent;
        if (ranges.Count == 1)
        {
            var range = ranges[0];
            response.Headers.ContentRange = range.ContentRange(length);
            response.ContentLength = range.Length;
            await handle.CopyToAsync(response.BodyWriter, range.Start, range.Length, aborted);
            return;
        }
        await WriteMultipartAsync(response, asset, handle, ranges, aborted);
    }

    private static void SetContentHeaders(HttpResponse response, AssetRepresentation asset)
    {
        response.ContentType = asset.ContentType;
        response.Headers.ContentDisposition = asset.Disposition;
        response.Headers.ContentSecurityPolicy = asset.ContentSecurityPolicy;
    }

    /// <summary>
    /// <c>multipart/byteranges</c> (RFC 9110 §14.6): each part carries its own Content-Type and Content-Range;
    /// Content-Length is computed up front so the response is not chunked.
    /// </summary>
    private static async Task WriteMultipartAsync(HttpResponse response, AssetRepresentation asset, AssetHandle handle, IReadOnlyList<ByteRange> ranges, CancellationToken ct)
    {
        var length = handle.Length;
        var boundary = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var heads = ranges
            .Select((range, i) => Encoding.ASCII.GetBytes(
                $"{(i == 0 ? "" : "\r\n")}--{boundary}\r\nContent-Type: {asset.ContentType}\r\nContent-Range: {range.ContentRange(length)}\r\n\r\n"))
            .ToList();
        var tail = Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n");

        response.ContentType = $"multipart/byteranges; boundary={boundary}";
        response.ContentLength = heads.Sum(h => (long)h.Length) + ranges.Sum(r => r.Length) + tail.Length;
        for (var i = 0; i < ranges.Count; i++)
        {
            await response.BodyWriter.WriteAsync(heads[i], ct);
            await handle.CopyToAsync(response.BodyWriter, ranges[i].Start, ranges[i].Length, ct);
        }
        await response.BodyWriter.WriteAsync(tail, ct);
    }

    /// <summary>Types a browser renders as a document that can run script: SVG, HTML, XHTML and XML.</summary>
    public static bool IsActiveContent(string contentType)
    {
        var type = contentType.ToLowerInvariant();
        return type.Contains("html") || type.Contains("xml") || type.Contains("svg");
    }

    /// <summary>HTML is never shown inline: even sandboxed, it could phish under our origin.</summary>
    public static bool MustDownload(string contentType) => contentType.Contains("html", StringComparison.OrdinalIgnoreCase);

    /// <summary>HTTP dates have whole seconds; comparisons use the value as sent.</summary>
    public static DateTimeOffset TruncateToSeconds(DateTimeOffset value) =>
        new(value.Ticks - value.Ticks % TimeSpan.TicksPerSecond, value.Offset);

    /// <summary>A strong entity tag from a hex digest: the first 32 hex digits (128 bits), quoted.</summary>
    public static EntityTagHeaderValue StrongTag(string hexDigest) =>
        new($"\"{hexDigest[..Math.Min(32, hexDigest.Length)].ToLowerInvariant()}\"");

    internal static DateTimeOffset? ParseStoredDate(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value : null;
}

public enum PreconditionResult { Proceed, NotModified, Failed }

/// <summary>Conditional requests evaluated in the order of RFC 9110 §13.2.2.</summary>
public static class Preconditions
{
    /// <summary>Whether the request carries any of the four preconditions (most do not: skip parsing them).</summary>
    public static bool Any(HttpRequest request)
    {
        var headers = request.Headers;
        return headers.IfMatch.Count > 0 || headers.IfNoneMatch.Count > 0 || headers.IfModifiedSince.Count > 0 || headers.IfUnmodifiedSince.Count > 0;
    }

    public static PreconditionResult Evaluate(HttpRequest request, EntityTagHeaderValue etag, DateTimeOffset? lastModified, bool isGetOrHead)
    {
        var headers = request.GetTypedHeaders();

        // Step 1–2: If-Match (strong comparison, §13.1.1), else If-Unmodified-Since (§13.1.4).
        if (request.Headers.IfMatch.Count > 0)
        {
            if (!headers.IfMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(etag, useStrongComparison: true)))
                return PreconditionResult.Failed;
        }
        else if (headers.IfUnmodifiedSince is { } unmodifiedSince && lastModified is { } lm1 && lm1 > unmodifiedSince)
        {
            return PreconditionResult.Failed;
        }

        if (!isGetOrHead) return PreconditionResult.Proceed;

        // Step 3: If-None-Match uses the weak comparison (§13.1.2), so a proxy that weakened our tag still revalidates.
        if (request.Headers.IfNoneMatch.Count > 0)
        {
            return headers.IfNoneMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(etag, useStrongComparison: false))
                ? PreconditionResult.NotModified
                : PreconditionResult.Proceed;
        }

        // Step 4: If-Modified-Since only without If-None-Match (§13.1.3); an invalid date is ignored.
        if (headers.IfModifiedSince is { } modifiedSince && lastModified is { } lm2 && lm2 <= modifiedSince)
            return PreconditionResult.NotModified;

        return PreconditionResult.Proceed;
    }

    /// <summary>
    /// If-Range (§13.1.5): the Range applies only when the validator matches — an entity tag by strong
    /// comparison, a date exactly. Without If-Range it always applies; an unreadable one never does.
    /// </summary>
    public static bool IfRangeHolds(HttpRequest request, EntityTagHeaderValue etag, DateTimeOffset? lastModified)
    {
        if (request.Headers.IfRange.Count == 0) return true;
        var ifRange = request.GetTypedHeaders().IfRange;
        if (ifRange?.EntityTag is { } tag) return tag.Compare(etag, useStrongComparison: true);
        if (ifRange?.LastModified is { } date) return lastModified is { } lm && lm == date;
        return false;
    }
}
