using System.Globalization;
using System.Text.Json;
using AssetServer.Errors;
using NetVips;

namespace AssetServer.Transforms;

/// <summary>
/// The <c>transforms</c> allow-list (Directus's list of sharp methods): name → argument check → libvips call.
/// Arguments follow sharp's shapes and ranges, except where a range would let one request occupy a core for
/// minutes; those are capped lower:
/// <list type="bullet">
/// <item><c>blur</c> sigma 0.3–100 (sharp 1000: sigma 1000 on 1920×1080 ran past Directus's 8 s timeout)</item>
/// <item><c>median</c> size 1–15 (sharp 1000), <c>convolve</c> kernels up to 15×15 (sharp 1001×1001)</item>
/// <item><c>clahe</c> windows up to 500×500, <c>sharpen</c> sigma up to 10 (as sharp), <c>avif</c> effort up to 2 (issue 9: the AV1 encoder cannot be stopped)</item>
/// </list>
/// A new operation is one row here plus one test.
/// </summary>
internal static class Operations
{
    /// <summary>Parse state shared by the entries of one <c>transforms</c> array.</summary>
    internal sealed class Context
    {
        /// <summary>A <c>resize</c> came earlier in the array: a later <c>extract</c> crops the resized image, as in sharp.</summary>
        public bool AfterResize { get; set; }
    }

    private delegate IEnumerable<TransformOp> Factory(OperationArgs args, Context context);

    private static readonly Dictionary<string, Factory> Table = new(StringComparer.Ordinal)
    {
        ["rotate"] = Rotate,
        ["flip"] = (a, _) => a.Flag(0, "flip") ? [Op(Stage.Source, "flip", (img, _) => img.Flip(Enums.Direction.Vertical), random: true)] : [],
        ["flop"] = (a, _) => a.Flag(0, "flop") ? [Op(Stage.Source, "flop", (img, _) => img.Flip(Enums.Direction.Horizontal))] : [],
        ["blur"] = Blur,
        ["sharpen"] = Sharpen,
        ["median"] = Median,
        ["tint"] = Tint,
        ["grayscale"] = Greyscale,
        ["greyscale"] = Greyscale,
        ["negate"] = Negate,
        ["normalise"] = Normalise,
        ["normalize"] = Normalise,
        ["gamma"] = Gamma,
        ["modulate"] = Modulate,
        ["threshold"] = Threshold,
        ["flatten"] = Flatten,
        ["extend"] = Extend,
        ["extract"] = Extract,
        ["trim"] = Trim,
        ["resize"] = Resize,
        ["linear"] = Linear,
        ["recomb"] = Recomb,
        ["clahe"] = Clahe,
        ["convolve"] = Convolve,
        ["removeAlpha"] = (_, _) => [Op(Stage.RemoveAlpha, "removeAlpha", (img, _) => img.HasAlpha() ? img.ExtractBand(0, n: img.Bands - 1) : img)],
        ["ensureAlpha"] = EnsureAlpha,
        ["extractChannel"] = ExtractChannel,
        ["toColourspace"] = ToColourspace,
        ["toColorspace"] = ToColourspace,
        ["toFormat"] = ToFormat,
        ["jpeg"] = (a, _) => [Output(OutputFormat.Jpg, a, 0)],
        ["png"] = (a, _) => [Output(OutputFormat.Png, a, 0)],
        ["webp"] = (a, _) => [Output(OutputFormat.Webp, a, 0)],
        ["avif"] = (a, _) => [Output(OutputFormat.Avif, a, 0)],
        ["tiff"] = (a, _) => [Output(OutputFormat.Tiff, a, 0)],
    };

    public static bool IsAllowed(string name) => Table.ContainsKey(name);

    /// <summary>Validates one entry; returns no operation when the arguments make it a no-op (<c>flip(false)</c>).</summary>
    public static IEnumerable<TransformOp> Create(string name, IReadOnlyList<JsonElement> args, Context context) =>
        Table[name](new OperationArgs(name, args), context).ToList();

    private static ImageOp Op(Stage stage, string canonical, Func<Image, RenderScope, Image> apply,
        Func<Dimensions, Dimensions>? project = null, bool random = false) =>
        new(canonical, stage, project, apply, random);

    private static string Num(double value) => OperationArgs.Text(value);

    private static IEnumerable<TransformOp> Rotate(OperationArgs a, Context _)
    {
        // rotate() without an angle is sharp's auto-orient, which this server always does first.
        if (a.At(0) is not { } angleArg) return [];
        var angle = OperationArgs.Number(angleArg, "angle", -36000, 36000);
        var background = a.IsObject(1) && OperationArgs.Property(a.At(1)!.Value, "background") is { } bg
            ? Colour.Parse(bg, "background") : Colour.Black;
        var degrees = ((angle % 360) + 360) % 360;
        if (degrees == 0) return [];
        if (degrees % 90 == 0)
        {
            var turn = degrees switch { 90 => Enums.Angle.D90, 180 => Enums.Angle.D180, _ => Enums.Angle.D270 };
            return [Op(Stage.Source, $"rotate({Num(degrees)})", (img, _) => img.Rot(turn),
                degrees == 180 ? null : d => new Dimensions(d.Height, d.Width), random: true)];
        }
        return [Op(Stage.Rotate, $"rotate({Num(degrees)},{background})", (img, s) =>
            {
                var source = s.Own(Pixels.WithAlphaFor(img, background));
                return source.Rotate(degrees, background: background.ToBands(source.Bands));
            },
            d =>
            {
                var radians = degrees * Math.PI / 180;
                var (cos, sin) = (Math.Abs(Math.Cos(radians)), Math.Abs(Math.Sin(radians)));
                return new Dimensions((int)Math.Ceiling(d.Width * cos + d.Height * sin), (int)Math.Ceiling(d.Width * sin + d.Height * cos));
            }, random: true)];
    }

    private static IEnumerable<TransformOp> Blur(OperationArgs a, Context _)
    {
        var arg = a.At(0);
        if (arg is { ValueKind: JsonValueKind.False }) return [];
        if (arg is null or { ValueKind: JsonValueKind.True })
        {
            // sharp's blur() without sigma: a fast 3×3 box blur.
            return [Op(Stage.Blur, "blur()", (img, s) => Pixels.Convolve(img, s.Own(Image.NewFromArray(new double[,] { { 1, 1, 1 }, { 1, 1, 1 }, { 1, 1, 1 } }, 9)), s), random: true)];
        }
        var sigmaArg = arg.Value.ValueKind == JsonValueKind.Object
            ? OperationArgs.Property(arg.Value, "sigma") ?? throw OperationArgs.Invalid("sigma", "number between 0.3 and 100", null)
            : arg.Value;
        var sigma = OperationArgs.Number(sigmaArg, "sigma", 0.3, 100);
        return [Op(Stage.Blur, $"blur({Num(sigma)})", (img, _) => img.Gaussblur(sigma), random: true)];
    }

    private static IEnumerable<TransformOp> Sharpen(OperationArgs a, Context _)
    {
        if (a.At(0) is null)
        {
            // sharp's sharpen() without sigma: a fast, mild 3×3 sharpening kernel.
            var kernel = new double[,] { { -1, -1, -1 }, { -1, 32, -1 }, { -1, -1, -1 } };
            return [Op(Stage.Sharpen, "sharpen()", (img, s) => Pixels.Convolve(img, s.Own(Image.NewFromArray(kernel, 24)), s), random: true)];
        }
        double sigma, m1 = 1, m2 = 2, x1 = 2, y2 = 10, y3 = 20;
        if (a.IsObject(0))
        {
            var o = a.At(0)!.Value;
            sigma = OperationArgs.Number(OperationArgs.Property(o, "sigma") ?? throw OperationArgs.Invalid("sigma", "number between 0.000001 and 10", null), "sigma", 0.000001, 10);
            m1 = OptionalNumber(o, "m1", 0, 1000000) ?? m1;
            m2 = OptionalNumber(o, "m2", 0, 1000000) ?? m2;
            x1 = OptionalNumber(o, "x1", 0, 1000000) ?? x1;
            y2 = OptionalNumber(o, "y2", 0, 1000000) ?? y2;
            y3 = OptionalNumber(o, "y3", 0, 1000000) ?? y3;
        }
        else
        {
            // Legacy sharp signature sharpen(sigma, flat, jagged).
            sigma = a.Number(0, "sigma", 0.000001, 10)!.Value;
            m1 = a.Number(1, "flat", 0, 1000000) ?? m1;
            m2 = a.Number(2, "jagged", 0, 1000000) ?? m2;
        }
        return [Op(Stage.Sharpen, $"sharpen({Num(sigma)},{Num(m1)},{Num(m2)},{Num(x1)},{Num(y2)},{Num(y3)})", (img, _) => img.Sharpen(sigma: sigma, x1: x1, y2: y2, y3: y3, m1: m1, m2: m2), random: true)];
    }

    private static IEnumerable<TransformOp> Median(OperationArgs a, Context _)
    {
        var size = a.Integer(0, "size", 1, 15) ?? 3;
        return size == 1 ? [] : [Op(Stage.Median, $"median({size})", (img, _) => img.Median(size), random: true)];
    }

    private static IEnumerable<TransformOp> Tint(OperationArgs a, Context _)
    {
        // Directus answers tint() without a colour with an unchanged image.
        if (a.At(0) is not { } arg) return [];
        var colour = Colour.Parse(arg, "tint");
        return [Op(Stage.Tint, $"tint({colour})", (img, s) => Pixels.Tint(img, colour, s))];
    }

    private static IEnumerable<TransformOp> Greyscale(OperationArgs a, Context _) =>
        a.Flag(0, "greyscale") ? [Op(Stage.Greyscale, "greyscale", (img, _) => img.Colourspace(Enums.Interpretation.Bw))] : [];

    private static IEnumerable<TransformOp> Negate(OperationArgs a, Context _)
    {
        var alsoAlpha = true;
        if (a.IsObject(0))
        {
            if (OperationArgs.Property(a.At(0)!.Value, "alpha") is { } alpha) alsoAlpha = OperationArgs.Boolean(alpha, "alpha");
        }
        else if (!a.Flag(0, "negate")) return [];
        return [Op(Stage.Negate, alsoAlpha ? "negate" : "negate(noalpha)", (img, s) => Pixels.Negate(img, alsoAlpha, s))];
    }

    private static IEnumerable<TransformOp> Normalise(OperationArgs a, Context _)
    {
        double lower = 1, upper = 99;
        if (a.IsObject(0))
        {
            var o = a.At(0)!.Value;
            lower = OptionalNumber(o, "lower", 0, 99) ?? lower;
            upper = OptionalNumber(o, "upper", 1, 100) ?? upper;
            if (lower >= upper) throw ApiErrors.InvalidQueryValue("upper", $"number greater than lower ({Num(lower)})", Num(upper));
        }
        else if (!a.Flag(0, "normalise")) return [];
        return [Op(Stage.Normalise, $"normalise({Num(lower)},{Num(upper)})", (img, s) => Pixels.Normalise(img, lower, upper, s), random: true)];
    }

    private static IEnumerable<TransformOp> Gamma(OperationArgs a, Context _)
    {
        // sharp darkens by 1/gamma before the resize and brightens by gammaOut after it (default: the same gamma).
        var gamma = a.Number(0, "gamma", 1, 3) ?? 2.2;
        var gammaOut = a.Number(1, "gammaOut", 1, 3) ?? gamma;
        return
        [
            Op(Stage.Source, $"gamma-in({Num(gamma)})", (img, s) => Pixels.KeepFormat(img, s.Own(img.Gamma(exponent: 1 / gamma)))),
            Op(Stage.GammaOut, $"gamma-out({Num(gammaOut)})", (img, s) => Pixels.KeepFormat(img, s.Own(img.Gamma(exponent: gammaOut)))),
        ];
    }

    private static IEnumerable<TransformOp> Modulate(OperationArgs a, Context _)
    {
        if (a.At(0) is null) return [];
        var o = a.Object(0, "modulate");
        var brightness = OptionalNumber(o, "brightness", 0, 100) ?? 1;
        var saturation = OptionalNumber(o, "saturation", 0, 100) ?? 1;
        var hue = OptionalNumber(o, "hue", -36000, 36000) is { } h ? Math.Round(h) % 360 : 0;
        var lightness = OptionalNumber(o, "lightness", -100, 100) ?? 0;
        if (brightness == 1 && saturation == 1 && hue == 0 && lightness == 0) return [];
        return [Op(Stage.Modulate, $"modulate({Num(brightness)},{Num(saturation)},{Num(hue)},{Num(lightness)})", (img, s) => Pixels.Modulate(img, brightness, saturation, hue, lightness, s))];
    }

    private static IEnumerable<TransformOp> Threshold(OperationArgs a, Context _)
    {
        var threshold = a.Integer(0, "threshold", 0, 255) ?? 128;
        var grey = true;
        if (a.IsObject(1))
        {
            var o = a.At(1)!.Value;
            if ((OperationArgs.Property(o, "greyscale") ?? OperationArgs.Property(o, "grayscale")) is { } g) grey = OperationArgs.Boolean(g, "greyscale");
        }
        return [Op(Stage.Threshold, $"threshold({threshold},{(grey ? "grey" : "colour")})", (img, s) => Pixels.Threshold(img, threshold, grey, s))];
    }

    private static IEnumerable<TransformOp> Flatten(OperationArgs a, Context _)
    {
        var background = Colour.Black;
        if (a.IsObject(0))
        {
            if (OperationArgs.Property(a.At(0)!.Value, "background") is { } bg) background = Colour.Parse(bg, "background");
        }
        else if (!a.Flag(0, "flatten")) return [];
        return [Op(Stage.Flatten, $"flatten({background})", (img, _) => Pixels.Flatten(img, background))];
    }

    private static IEnumerable<TransformOp> Extend(OperationArgs a, Context _)
    {
        const int limit = 100000;
        int top, bottom, left, right;
        var background = Colour.Black;
        var mode = "background";
        if (a.IsObject(0))
        {
            var o = a.At(0)!.Value;
            int Side(string name) => OperationArgs.Property(o, name) is { } v ? OperationArgs.Integer(v, name, 0, limit) : 0;
            (top, bottom, left, right) = (Side("top"), Side("bottom"), Side("left"), Side("right"));
            if (OperationArgs.Property(o, "background") is { } bg) background = Colour.Parse(bg, "background");
            if (OperationArgs.Property(o, "extendWith") is { } with) mode = OperationArgs.OneOf(with, "extendWith", "background", "copy", "repeat", "mirror");
        }
        else
        {
            var all = a.Integer(0, "extend", 0, limit) ?? throw OperationArgs.Invalid("extend", "integer or object", a.At(0));
            (top, bottom, left, right) = (all, all, all, all);
        }
        if (top + bottom + left + right == 0) return [];
        var extend = mode switch
        {
            "copy" => Enums.Extend.Copy,
            "repeat" => Enums.Extend.Repeat,
            "mirror" => Enums.Extend.Mirror,
            _ => Enums.Extend.Background,
        };
        var canonical = $"extend({top},{right},{bottom},{left},{mode}" + (extend == Enums.Extend.Background ? $",{background})" : ")");
        return [Op(Stage.Extend, canonical, (img, s) =>
            {
                var source = extend == Enums.Extend.Background ? s.Own(Pixels.WithAlphaFor(img, background)) : img;
                return source.Embed(left, top, source.Width + left + right, source.Height + top + bottom,
                    extend: extend, background: background.ToBands(source.Bands));
            },
            d => new Dimensions(d.Width + left + right, d.Height + top + bottom), random: extend != Enums.Extend.Background)];
    }

    private static IEnumerable<TransformOp> Extract(OperationArgs a, Context context)
    {
        var o = a.Object(0, "extract");
        int Field(string name, int min) => OperationArgs.Integer(
            OperationArgs.Property(o, name) ?? throw OperationArgs.Invalid(name, $"integer between {min} and 100000000", null), name, min, 100000000);
        var (left, top, width, height) = (Field("left", 0), Field("top", 0), Field("width", 1), Field("height", 1));

        Dimensions Check(Dimensions d) =>
            left + width <= d.Width && top + height <= d.Height
                ? new Dimensions(width, height)
                : throw ApiErrors.InvalidQueryValue("extract", $"an area inside the {d} image",
                    $"left {left}, top {top}, width {width}, height {height}");

        Image Apply(Image img, RenderScope _)
        {
            Check(new Dimensions(img.Width, img.Height));
            return img.ExtractArea(left, top, width, height);
        }

        var canonical = $"extract({left},{top},{width},{height})";
        return context.AfterResize
            ? [Op(Stage.Extract, canonical, Apply, Check)]
            : [Op(Stage.Source, canonical, Apply, Check)];
    }

    private static IEnumerable<TransformOp> Trim(OperationArgs a, Context _)
    {
        double threshold = 10;
        Colour? background = null;
        var lineArt = false;
        if (a.IsObject(0))
        {
            var o = a.At(0)!.Value;
            threshold = OptionalNumber(o, "threshold", 0, 255) ?? threshold;
            if (OperationArgs.Property(o, "background") is { } bg) background = Colour.Parse(bg, "background");
            if (OperationArgs.Property(o, "lineArt") is { } la) lineArt = OperationArgs.Boolean(la, "lineArt");
        }
        else
        {
            threshold = a.Number(0, "threshold", 0, 255) ?? threshold;
        }
        return [Op(Stage.Source, $"trim({Num(threshold)},{background?.ToString() ?? "corner"},{lineArt})",
            (img, _) => Pixels.Trim(img, threshold, background, lineArt), random: true)];
    }

    private static IEnumerable<TransformOp> Resize(OperationArgs a, Context context)
    {
        JsonElement? options = null;
        JsonElement? width, height;
        if (a.IsObject(0))
        {
            options = a.At(0);
            width = OperationArgs.Property(options!.Value, "width");
            height = OperationArgs.Property(options!.Value, "height");
        }
        else
        {
            (width, height) = (a.At(0), a.At(1));
            if (a.IsObject(2)) options = a.At(2);
        }
        var w = width is { } wv ? OperationArgs.Integer(wv, "width", 1, 100000000) : (int?)null;
        var h = height is { } hv ? OperationArgs.Integer(hv, "height", 1, 100000000) : (int?)null;
        var fit = Fit.Cover;
        var withoutEnlargement = false;
        var position = Gravity.Centre;
        Colour? background = null;
        if (options is { } o)
        {
            if (OperationArgs.Property(o, "fit") is { } f) fit = Enum.Parse<Fit>(OperationArgs.OneOf(f, "fit", "cover", "contain", "fill", "inside", "outside"), true);
            if (OperationArgs.Property(o, "withoutEnlargement") is { } we) withoutEnlargement = OperationArgs.Boolean(we, "withoutEnlargement");
            if ((OperationArgs.Property(o, "position") ?? OperationArgs.Property(o, "gravity")) is { } p) position = ParseGravity(p);
            if (OperationArgs.Property(o, "background") is { } bg) background = Colour.Parse(bg, "background");
            // sharp's tuning options: checked as sharp checks them, rendered with our fixed choices.
            if (OperationArgs.Property(o, "kernel") is { } k)
                OperationArgs.OneOf(k, "kernel", "nearest", "linear", "cubic", "mitchell", "lanczos2", "lanczos3", "mks2013", "mks2021");
            if (OperationArgs.Property(o, "fastShrinkOnLoad") is { } fs) OperationArgs.Boolean(fs, "fastShrinkOnLoad");
            if (OperationArgs.Property(o, "withoutReduction") is { } wr) OperationArgs.Boolean(wr, "withoutReduction");
        }
        if (w is null && h is null) return [];
        context.AfterResize = true;
        return [new ResizeOp(new ResizeSpec(w, h, fit, withoutEnlargement, position, background))];
    }

    private static Gravity ParseGravity(JsonElement value)
    {
        var text = OperationArgs.OneOf(value, "position",
            "centre", "center", "north", "northeast", "east", "southeast", "south", "southwest", "west", "northwest",
            "top", "right top", "right", "right bottom", "bottom", "left bottom", "left", "left top", "entropy", "attention");
        return text switch
        {
            "north" or "top" => Gravity.North,
            "northeast" or "right top" => Gravity.NorthEast,
            "east" or "right" => Gravity.East,
            "southeast" or "right bottom" => Gravity.SouthEast,
            "south" or "bottom" => Gravity.South,
            "southwest" or "left bottom" => Gravity.SouthWest,
            "west" or "left" => Gravity.West,
            "northwest" or "left top" => Gravity.NorthWest,
            "entropy" => Gravity.Entropy,
            "attention" => Gravity.Attention,
            _ => Gravity.Centre,
        };
    }

    private static IEnumerable<TransformOp> Linear(OperationArgs a, Context _)
    {
        double[]? Vector(int index, string name) => a.At(index) switch
        {
            null => null,
            { ValueKind: JsonValueKind.Array } arr when arr.GetArrayLength() is >= 1 and <= 4 =>
                arr.EnumerateArray().Select(v => OperationArgs.Number(v, name, -10000, 10000)).ToArray(),
            { ValueKind: JsonValueKind.Number } n => [OperationArgs.Number(n, name, -10000, 10000)],
            var other => throw OperationArgs.Invalid(name, "number or array of 1 to 4 numbers", other),
        };
        var multiply = Vector(0, "a");
        var add = Vector(1, "b");
        if (multiply is null && add is null) return [];
        multiply ??= [1];
        add ??= [0];
        var canonical = $"linear([{string.Join(",", multiply.Select(Num))}],[{string.Join(",", add.Select(Num))}])";
        return [Op(Stage.Linear, canonical, (img, s) => Pixels.Linear(img, multiply, add, s))];
    }

    private static IEnumerable<TransformOp> Recomb(OperationArgs a, Context _)
    {
        var arg = a.At(0);
        if (arg is not { ValueKind: JsonValueKind.Array } rows || rows.GetArrayLength() is not (3 or 4))
            throw OperationArgs.Invalid("recomb", "3x3 or 4x4 matrix of numbers", arg);
        var n = rows.GetArrayLength();
        var matrix = new double[n, n];
        var i = 0;
        foreach (var row in rows.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != n)
                throw OperationArgs.Invalid("recomb", "3x3 or 4x4 matrix of numbers", arg);
            var j = 0;
            foreach (var cell in row.EnumerateArray()) matrix[i, j++] = OperationArgs.Number(cell, "recomb", -1000, 1000);
            i++;
        }
        var canonical = $"recomb({string.Join(";", Enumerable.Range(0, n).Select(r => string.Join(",", Enumerable.Range(0, n).Select(c => Num(matrix[r, c])))))})";
        return [Op(Stage.Recomb, canonical, (img, s) => Pixels.Recomb(img, matrix, s))];
    }

    private static IEnumerable<TransformOp> Clahe(OperationArgs a, Context _)
    {
        var o = a.Object(0, "clahe");
        int Required(string name, int min, int max) => OperationArgs.Integer(
            OperationArgs.Property(o, name) ?? throw OperationArgs.Invalid(name, $"integer between {min} and {max}", null), name, min, max);
        var width = Required("width", 1, 500);
        var height = Required("height", 1, 500);
        var maxSlope = OperationArgs.Property(o, "maxSlope") is { } ms ? OperationArgs.Integer(ms, "maxSlope", 0, 100) : 3;
        return [Op(Stage.Clahe, $"clahe({width},{height},{maxSlope})", (img, s) => Pixels.Clahe(img, width, height, maxSlope, s), random: true)];
    }

    private static IEnumerable<TransformOp> Convolve(OperationArgs a, Context _)
    {
        var o = a.Object(0, "convolve");
        int Side(string name) => OperationArgs.Integer(
            OperationArgs.Property(o, name) ?? throw OperationArgs.Invalid(name, "integer between 1 and 15", null), name, 1, 15);
        var (width, height) = (Side("width"), Side("height"));
        var kernelArg = OperationArgs.Property(o, "kernel");
        if (kernelArg is not { ValueKind: JsonValueKind.Array } k || k.GetArrayLength() != width * height)
            throw OperationArgs.Invalid("kernel", $"array of {width * height} numbers", kernelArg);
        var values = k.EnumerateArray().Select(v => OperationArgs.Number(v, "kernel", -100000, 100000)).ToArray();
        var sum = values.Sum();
        var scale = OptionalNumber(o, "scale", -1000000, 1000000) ?? (sum == 0 ? 1 : sum);
        if (scale == 0) throw ApiErrors.InvalidQueryValue("scale", "non-zero number", "0");
        var offset = OptionalNumber(o, "offset", -100000, 100000) ?? 0;
        var kernel = new double[height, width];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                kernel[y, x] = values[y * width + x];
        var canonical = $"convolve({width},{height},[{string.Join(",", values.Select(Num))}],{Num(scale)},{Num(offset)})";
        return [Op(Stage.Convolve, canonical, (img, s) => Pixels.Convolve(img, s.Own(Image.NewFromArray(kernel, scale, offset)), s), random: true)];
    }

    private static IEnumerable<TransformOp> EnsureAlpha(OperationArgs a, Context _)
    {
        var alpha = a.Number(0, "alpha", 0, 1) ?? 1;
        return [Op(Stage.EnsureAlpha, $"ensureAlpha({Num(alpha)})", (img, _) => img.HasAlpha() ? img : img.Bandjoin(Math.Round(alpha * Pixels.MaxValue(img))))];
    }

    private static IEnumerable<TransformOp> ExtractChannel(OperationArgs a, Context _)
    {
        var arg = a.At(0) ?? throw OperationArgs.Invalid("channel", "integer between 0 and 3 or one of: red, green, blue, alpha", null);
        var channel = arg.ValueKind == JsonValueKind.String
            ? OperationArgs.OneOf(arg, "channel", "red", "green", "blue", "alpha") switch { "red" => 0, "green" => 1, "blue" => 2, _ => -1 }
            : OperationArgs.Integer(arg, "channel", 0, 3);
        return [Op(Stage.ExtractChannel, $"extractChannel({channel})", (img, s) =>
        {
            var band = channel < 0 ? img.Bands - 1 : channel;
            if (band >= img.Bands || (channel < 0 && !img.HasAlpha()))
                throw ApiErrors.InvalidQueryValue("channel", $"a channel of this {img.Bands}-band image", channel < 0 ? "alpha" : channel.ToString(CultureInfo.InvariantCulture));
            return s.Own(img.ExtractBand(band)).Copy(interpretation: Enums.Interpretation.Bw);
        })];
    }

    private static IEnumerable<TransformOp> ToColourspace(OperationArgs a, Context _)
    {
        var arg = a.At(0) ?? throw OperationArgs.Invalid("colourspace", "one of: srgb, rgb, b-w, rgb16, grey16", null);
        var space = OperationArgs.OneOf(arg, "colourspace", "srgb", "rgb", "b-w", "rgb16", "grey16");
        var interpretation = space switch
        {
            "b-w" => Enums.Interpretation.Bw,
            "rgb16" => Enums.Interpretation.Rgb16,
            "grey16" => Enums.Interpretation.Grey16,
            _ => Enums.Interpretation.Srgb,
        };
        return [Op(Stage.Colourspace, $"toColourspace({interpretation.ToString().ToLowerInvariant()})", (img, _) => img.Colourspace(interpretation))];
    }

    private static IEnumerable<TransformOp> ToFormat(OperationArgs a, Context _)
    {
        var arg = a.At(0) ?? throw OperationArgs.Invalid("format", "one of: jpg, jpeg, png, webp, avif, tiff, gif", null);
        var name = OperationArgs.OneOf(arg, "format", "jpg", "jpeg", "png", "webp", "avif", "tiff", "gif");
        return [Output(OutputFormat.FromName(name)!, a, 1)];
    }

    private static OutputOp Output(OutputFormat format, OperationArgs a, int optionsIndex)
    {
        if (a.At(optionsIndex) is null) return new OutputOp(format, EncoderSettings.Default);
        var o = a.Object(optionsIndex, "options");
        // Unknown options are ignored, as sharp ignores them; known ones that only tune the encoder are checked
        // as sharp checks them (a bad value is a 400) and encoded with our fixed choices.
        string? Choice(string name, params string[] allowed) =>
            OperationArgs.Property(o, name) is { } v ? OperationArgs.OneOf(v, name, allowed) : null;
        if (format.Name == "tiff")
        {
            Choice("compression", "none", "jpeg", "deflate", "packbits", "ccittfax4", "lzw", "webp", "zstd", "jp2k");
            Choice("predictor", "none", "horizontal", "float");
            if (OperationArgs.Property(o, "bitdepth") is { } depth && OperationArgs.Integer(depth, "bitdepth", 1, 8) is not (1 or 2 or 4 or 8))
                throw OperationArgs.Invalid("bitdepth", "one of: 1, 2, 4, 8", depth);
        }
        if (format.Name == "jpg") Choice("chromaSubsampling", "4:2:0", "4:4:4");
        int? Int(string name, int min, int max) =>
            OperationArgs.Property(o, name) is { } v ? OperationArgs.Integer(v, name, min, max) : null;
        bool? Bool(string name) => OperationArgs.Property(o, name) is { } v ? OperationArgs.Boolean(v, name) : null;
        var settings = new EncoderSettings(
            Quality: Int("quality", 1, 100),
            Lossless: format.Name is "webp" or "avif" ? Bool("lossless") : null,
            // AVIF effort stops at Encoder.MaxAvifEffort: the AV1 encoder cannot be cancelled, so its cost is bounded up front.
            Effort: format.Name switch { "webp" => Int("effort", 0, 6), "avif" => Int("effort", 0, Steps.Encoder.MaxAvifEffort), "gif" => Int("effort", 1, 10), _ => null },
            CompressionLevel: format.Name == "png" ? Int("compressionLevel", 0, 9) : null,
            Progressive: format.Name is "jpg" or "png" ? Bool("progressive") : null,
            Palette: format.Name == "png" ? Bool("palette") : null);
        return new OutputOp(format, settings);
    }

    private static double? OptionalNumber(JsonElement obj, string name, double min, double max) =>
        OperationArgs.Property(obj, name) is { } v ? OperationArgs.Number(v, name, min, max) : null;
}
