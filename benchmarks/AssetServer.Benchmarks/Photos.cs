using System.Text;
using NetVips;

namespace AssetServer.Benchmarks;

/// <summary>
/// Photo-like JPEGs made with libvips for the benchmarks: a smooth colour field with fine grain, so the encoder and
/// decoder do the work a camera photo costs (a plain gradient compresses to almost nothing), carrying EXIF, and
/// on request IPTC and an ICC profile.
/// </summary>
public static class Photos
{
    /// <summary>A <paramref name="width"/>×<paramref name="height"/> JPEG (q 85) with camera EXIF, written to <paramref name="path"/>.</summary>
    public static string Camera(string path, int width, int height, bool iptcAndIcc = false)
    {
        using var scene = Scene(width, height);
        using var tagged = scene.Mutate(m =>
        {
            // libvips writes exif-ifd* fields into the EXIF block at save time (vips__exif_update).
            m.Set(GValue.RefStrType, "exif-ifd0-Make", "AssetServer");
            m.Set(GValue.RefStrType, "exif-ifd0-Model", "Benchmark Camera");
            m.Set(GValue.RefStrType, "exif-ifd0-Software", "libvips");
            m.Set(GValue.RefStrType, "exif-ifd0-DateTime", "2024:05:17 10:42:07");
            m.Set(GValue.RefStrType, "exif-ifd0-Orientation", "1");
            m.Set(GValue.RefStrType, "exif-ifd2-DateTimeOriginal", "2024:05:17 10:42:07");
            m.Set(GValue.RefStrType, "exif-ifd2-ExposureTime", "1/250");
            m.Set(GValue.RefStrType, "exif-ifd2-FNumber", "28/10");
            m.Set(GValue.RefStrType, "exif-ifd2-ISOSpeedRatings", "200");
            m.Set(GValue.RefStrType, "exif-ifd2-FocalLength", "35/1");
            if (iptcAndIcc)
            {
                m.Set(GValue.BlobType, "iptc-data", Iptc(
                    (5, "Harbour at dawn"),
                    (105, "Boats in the harbour"),
                    (120, "Fishing boats leave the harbour before sunrise."),
                    (25, "harbour"), (25, "boats"), (25, "dawn"),
                    (90, "Bergen"), (101, "Norway")));
                m.Set(GValue.BlobType, "icc-profile-data", Image.ProfileLoad("srgb"));
            }
        });
        tagged.Jpegsave(path, q: 85);
        return path;
    }

    /// <summary>A smooth colour field (noise upsampled 16×) plus fine grain, as sRGB uchar.</summary>
    /// <summary>
    /// A <paramref name="width"/>×<paramref name="height"/> JPEG as cameras and phones write it: EXIF with a 160-pixel
    /// JPEG thumbnail of the photo in IFD1.
    /// </summary>
    public static string CameraWithThumbnail(string path, int width, int height)
    {
        using var scene = Scene(width, height);
        var photo = scene.JpegsaveBuffer(q: 85, keep: Enums.ForeignKeep.None);
        using var small = scene.ThumbnailImage(160, height: 160);
        var thumbnail = small.JpegsaveBuffer(q: 75, keep: Enums.ForeignKeep.None);
        File.WriteAllBytes(path, AssetServer.Tests.Support.ExifJpeg.WithThumbnail(photo, thumbnail));
        return path;
    }

    private static Image Scene(int width, int height)
    {
        const int Scale = 16;
        int sw = (width + Scale - 1) / Scale, sh = (height + Scale - 1) / Scale;
        using var r = Image.Gaussnoise(sw, sh, mean: 128, sigma: 50);
        using var g = Image.Gaussnoise(sw, sh, mean: 120, sigma: 45);
        using var b = Image.Gaussnoise(sw, sh, mean: 110, sigma: 55);
        using var small = r.Bandjoin(g, b);
        using var field = small.Resize(Scale, kernel: Enums.Kernel.Cubic).Crop(0, 0, width, height);
        using var grain = Image.Gaussnoise(width, height, mean: 0, sigma: 6);
        using var sum = field.Add(grain);
        return sum.Cast(Enums.BandFormat.Uchar).Copy(interpretation: Enums.Interpretation.Srgb);
    }

    /// <summary>
    /// An IPTC-IIM block (record 2 datasets) in the Photoshop APP13 wrapper libvips writes as it is:
    /// <c>"Photoshop 3.0\0"</c>, then an <c>8BIM</c> resource 0x0404 holding the datasets.
    /// </summary>
    private static byte[] Iptc(params (byte Dataset, string Value)[] datasets)
    {
        var iim = new MemoryStream();
        // 1:90 coded character set = UTF-8 (ESC % G), so readers decode the strings as UTF-8.
        iim.Write([0x1C, 1, 90, 0, 3, 0x1B, 0x25, 0x47]);
        iim.Write([0x1C, 2, 0, 0, 2, 0, 4]);
        foreach (var (dataset, value) in datasets)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            iim.Write([0x1C, 2, dataset, (byte)(bytes.Length >> 8), (byte)bytes.Length]);
            iim.Write(bytes);
        }
        var data = iim.ToArray();

        var block = new MemoryStream();
        block.Write("Photoshop 3.0\0"u8);
        block.Write("8BIM"u8);
        block.Write([0x04, 0x04, 0, 0]); // resource id, empty Pascal name padded to even length
        block.Write([(byte)(data.Length >> 24), (byte)(data.Length >> 16), (byte)(data.Length >> 8), (byte)data.Length]);
        block.Write(data);
        if (data.Length % 2 == 1) block.WriteByte(0);
        return block.ToArray();
    }
}
