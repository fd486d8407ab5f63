using NetVips;

namespace AssetServer.Transforms.Steps;

/// <summary>
/// Brings any source into 8-bit sRGB (or 8-bit greyscale): through the embedded ICC profile when there is one
/// (CMYK, Adobe RGB, Display P3 photos look right in browsers), else by libvips's colourspace rules.
/// </summary>
internal static class Srgb
{
    public static Image Apply(Image image, RenderScope scope)
    {
        if (image.Contains("icc-profile-data"))
        {
            try
            {
                return Fold(scope.Own(image.IccTransform("srgb", embedded: true, intent: Enums.Intent.Perceptual)));
            }
            catch (VipsException)
            {
                // A broken embedded profile: fall back to the interpretation in the header, as browsers do.
            }
        }
        return Fold(image);
    }

    private static Image Fold(Image image) => image.Interpretation switch
    {
        Enums.Interpretation.Bw when image.Format == Enums.BandFormat.Uchar => image,
        Enums.Interpretation.Bw or Enums.Interpretation.Grey16 => image.Colourspace(Enums.Interpretation.Bw),
        Enums.Interpretation.Srgb when image.Format == Enums.BandFormat.Uchar => image,
        _ => image.Colourspace(Enums.Interpretation.Srgb),
    };
}
