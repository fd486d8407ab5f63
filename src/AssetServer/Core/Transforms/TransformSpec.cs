using System.Globalization;
using System.Text.Json;
using AssetServer.Assets;
using AssetServer.Errors;

namespace AssetServer.Transforms;

/// <summary>
/// Validated transform parameters as written (by a query or a preset), before they are resolved against a source
/// and an <c>Accept</c> header. <see cref="Format"/> is a format name or <c>auto</c>.
/// </summary>
internal sealed record TransformSpec(
    int? Width,
    int? Height,
    Fit? Fit,
    int? Quality,
    bool WithoutEnlargement,
    string? Format,
    IReadOnlyList<TransformOp> Operations,
    int? FocalPointX,
    int? FocalPointY,
    Colour? Background)
{
    /// <summary>
    /// Reads and validates the parameters. <paramref name="get"/> returns a parameter's text or null when absent.
    /// Presets are exempt from <see cref="AssetsOptions.MaxOperations"/> and may set <c>background</c>.
    /// </summary>
    public static TransformSpec Read(Func<string, string?> get, AssetsOptions options, bool isPreset)
    {
        var width = Dimension(get(TransformParameters.Width), TransformParameters.Width, options);
        var height = Dimension(get(TransformParameters.Height), TransformParameters.Height, options);
        var fit = get(TransformParameters.Fit) is { } f
            ? Enum.TryParse<Fit>(f, true, out var parsedFit) && f.All(char.IsAsciiLetter)
                ? parsedFit
                : throw ApiErrors.InvalidQueryValue(TransformParameters.Fit, "one of: cover, contain, inside, outside, fill", f)
            : (Fit?)null;
        var quality = get(TransformParameters.Quality) is { } q
            ? ParseInt(q) is { } qv and >= 1 and <= 100 ? qv : throw ApiErrors.InvalidQueryValue(TransformParameters.Quality, "integer between 1 and 100", q)
            : (int?)null;
        var withoutEnlargement = get(TransformParameters.WithoutEnlargement) is { } we && we.ToLowerInvariant() switch
        {
            // A bare ?withoutEnlargement is a flag, as Directus treats any present value as true.
            "" or "true" or "1" => true,
            "false" or "0" => false,
            _ => throw ApiErrors.InvalidQueryValue(TransformParameters.WithoutEnlargement, "one of: true, false, 1, 0", we),
        };
        var format = get(TransformParameters.Format) is { } fm
            ? fm.ToLowerInvariant() is "auto" ? "auto"
                : OutputFormat.FromName(fm)?.Name ?? throw ApiErrors.InvalidQueryValue(TransformParameters.Format, "one of: jpg, jpeg, png, webp, avif, tiff, gif, auto", fm)
            : null;
        var focalX = FocalPoint(get(TransformParameters.FocalPointX), TransformParameters.FocalPointX);
        var focalY = FocalPoint(get(TransformParameters.FocalPointY), TransformParameters.FocalPointY);
        var operations = get(TransformParameters.Transforms) is { } t ? ReadTransforms(t, isPreset ? int.MaxValue : options.MaxOperations) : [];
        Colour? background = null;
        if (isPreset && get(TransformParameters.Background) is { } bg)
        {
            background = Colour.TryParse(bg, out var c) ? c : ParseJsonColour(bg);
        }
        return new TransformSpec(width, height, fit, quality, withoutEnlargement, format, operations, focalX, focalY, background);
    }

    private static Colour ParseJsonColour(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return Colour.Parse(doc.RootElement, TransformParameters.Background);
        }
        catch (JsonException)
        {
            throw ApiErrors.InvalidQueryValue(TransformParameters.Background, "a colour such as \"#ff0000\" or \"rgb(255,0,0)\"", text);
        }
    }

    /// <summary>Directus's rule: a positive integer; past the output limit it is an illegal transformation, not a typo.</summary>
    private static int? Dimension(string? text, string name, AssetsOptions options)
    {
        if (text is null) return null;
        if (ParseInt(text) is not { } value || value < 1 || value > 100000000)
            throw ApiErrors.InvalidQueryValue(name, "positive integer between 1 and 100000000", text);
        if (value > options.MaxDimension) throw ApiErrors.IllegalTransformation(RenderPlan.OutputLimitParameters);
        return value;
    }

    private static int? FocalPoint(string? text, string name)
    {
        if (text is null) return null;
        return ParseInt(text) is { } value and >= 0 and <= 100000000
            ? value
            : throw ApiErrors.InvalidQueryValue(name, "non-negative integer", text);
    }

    private static int? ParseInt(string text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static IReadOnlyList<TransformOp> ReadTransforms(string text, int maxOperations)
    {
        const string notArray = "\"transforms\" Parameter needs to be a JSON array of allowed transformations";
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException)
        {
            throw ApiErrors.InvalidQuery(notArray);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array) throw ApiErrors.InvalidQuery(notArray);
            var entries = root.EnumerateArray().ToList();
            foreach (var entry in entries)
            {
                if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() == 0 || entry[0].ValueKind != JsonValueKind.String)
                    throw ApiErrors.InvalidQuery(notArray);
                var name = entry[0].GetString()!;
                if (!Transforms.Operations.IsAllowed(name))
                    throw ApiErrors.InvalidQuery($"\"transforms\" Parameter does not allow \"{Printable(name)}\" as a transformation");
            }
            if (entries.Count > maxOperations)
                throw ApiErrors.InvalidQuery($"\"transforms\" Parameter is only allowed {maxOperations} transformations");

            var context = new Transforms.Operations.Context();
            var result = new List<TransformOp>();
            foreach (var entry in entries)
            {
                var items = entry.EnumerateArray().ToList();
                result.AddRange(Transforms.Operations.Create(items[0].GetString()!, items.Skip(1).ToList(), context));
            }
            return result;
        }
    }

    private static string Printable(string text)
    {
        var clean = new string(text.Take(50).Select(c => char.IsControl(c) || c == '"' ? '?' : c).ToArray());
        return text.Length > 50 ? clean + "…" : clean;
    }
}
