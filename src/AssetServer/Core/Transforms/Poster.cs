using System.Globalization;
using AssetServer.Errors;
using AssetServer.Rendering.Media;

namespace AssetServer.Transforms;

/// <summary>
/// Issue 20: the still a video or a PDF renders before the pipeline runs: a video's frame at <see cref="Time"/>
/// seconds, or a PDF's page <see cref="Page"/> (from 1). Part of the derivative's cache key.
/// </summary>
public sealed record Poster(bool Pdf, double Time, int Page)
{
    /// <summary>Without <c>poster_time</c>, a video's frame at 10 % of its length, capped at 1 s (past a fade-in, before a cut).</summary>
    internal const double MaxDefaultTime = 1.0;

    internal const int MaxPage = 100_000;

    /// <summary>What goes into the cache key: the time to the millisecond, or the page.</summary>
    internal string Canonical => Pdf
        ? $"page({Page.ToString(CultureInfo.InvariantCulture)})"
        : $"still({Time.ToString("0.000", CultureInfo.InvariantCulture)})";

    /// <summary>
    /// Validates <c>poster_time</c> and <c>page</c> for any file (a malformed value is a 400 whatever the file), and
    /// returns the still of <paramref name="source"/>, or null when it has none (images, audio, text…).
    /// </summary>
    internal static Poster? Read(Func<string, string?> get, TransformSource source)
    {
        double? time = null;
        if (get(TransformParameters.PosterTime) is { } rawTime)
        {
            time = double.TryParse(rawTime, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var t) && t >= 0 && t <= 86_400
                ? t
                : throw ApiErrors.InvalidQueryValue(TransformParameters.PosterTime, "a number of seconds from 0 to 86400", rawTime);
        }
        int? page = null;
        if (get(TransformParameters.Page) is { } rawPage)
        {
            page = int.TryParse(rawPage, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= MaxPage
                ? p
                : throw ApiErrors.InvalidQueryValue(TransformParameters.Page, $"an integer from 1 to {MaxPage}", rawPage);
        }
        if (MediaEngines.IsPdf(source.MimeType)) return new Poster(true, 0, page ?? 1);
        if (!MediaEngines.IsVideo(source.MimeType)) return null;
        var fallback = source.Duration is > 0 and var ms ? Math.Min(MaxDefaultTime, ms / 1000.0 * 0.1) : 0;
        return new Poster(false, Math.Round(time ?? fallback, 3), 1);
    }
}
