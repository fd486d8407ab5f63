using NetVips;

namespace AssetServer.Transforms.Steps;

/// <summary>Scales to the planned size, then crops (<c>cover</c>) or letterboxes (<c>contain</c>).</summary>
internal static class FitStep
{
    /// <summary>Scales an already decoded image exactly to <see cref="ResizeGeometry.Scaled"/>.</summary>
    public static Image Scale(Image image, ResizeGeometry geometry)
    {
        if (image.Width == geometry.Scaled.Width && image.Height == geometry.Scaled.Height) return image;
        return image.Resize((double)geometry.Scaled.Width / image.Width,
            vscale: (double)geometry.Scaled.Height / image.Height, kernel: Enums.Kernel.Lanczos3);
    }

    /// <summary>
    /// The crop and the letterbox. The letterbox background is the preset's (or the resize operation's) colour,
    /// else transparent where the output format has alpha and white where it has not (JPEG).
    /// </summary>
    public static Image CropAndPad(Image image, ResizeGeometry geometry, ResizeSpec spec, OutputFormat format, RenderScope scope)
    {
        if (geometry.Crops)
        {
            image = scope.Own(geometry.SmartCrop is { } interesting
                ? scope.Own(image.CopyMemory()).Smartcrop(geometry.Crop.Width, geometry.Crop.Height,
                    interesting: interesting == Gravity.Entropy ? Enums.Interesting.Entropy : Enums.Interesting.Attention)
                : image.ExtractArea(geometry.Crop.Left, geometry.Crop.Top, geometry.Crop.Width, geometry.Crop.Height));
        }
        if (geometry.Pads)
        {
            var background = spec.Background ?? (format.SupportsAlpha ? Colour.Transparent : Colour.White);
            image = scope.Own(Pixels.WithAlphaFor(image, background));
            var (left, top) = RenderPlan.Position(spec.Position, geometry.Canvas, image.Width, image.Height);
            image = image.Embed(left, top, geometry.Canvas.Width, geometry.Canvas.Height,
                extend: Enums.Extend.Background, background: background.ToBands(image.Bands));
        }
        return image;
    }
}
