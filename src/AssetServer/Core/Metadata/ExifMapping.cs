using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;

namespace AssetServer.Metadata;

/// <summary>
/// The <c>exif</c> group: IFD0, the Exif sub-IFD and the GPS IFD under the names the EXIF 2.32 / TIFF 6 specifications
/// give them (<c>FNumber</c>, <c>ISOSpeedRatings</c>, <c>GPSLatitude</c>). Tags outside these tables (maker notes,
/// thumbnails, strip offsets, vendor tags) and undefined byte blobs are left out.
/// </summary>
internal static class ExifMapping
{
    private static readonly Dictionary<int, string> MainNames = new()
    {
        [0x00FE] = "NewSubfileType", [0x0100] = "ImageWidth", [0x0101] = "ImageLength", [0x0102] = "BitsPerSample",
        [0x0103] = "Compression", [0x0106] = "PhotometricInterpretation", [0x010D] = "DocumentName",
        [0x010E] = "ImageDescription", [0x010F] = "Make", [0x0110] = "Model", [0x0112] = "Orientation",
        [0x0115] = "SamplesPerPixel", [0x011A] = "XResolution", [0x011B] = "YResolution", [0x011C] = "PlanarConfiguration",
        [0x0128] = "ResolutionUnit", [0x0131] = "Software", [0x0132] = "DateTime", [0x013B] = "Artist",
        [0x013C] = "HostComputer", [0x013E] = "WhitePoint", [0x013F] = "PrimaryChromaticities",
        [0x0211] = "YCbCrCoefficients", [0x0212] = "YCbCrSubSampling", [0x0213] = "YCbCrPositioning",
        [0x0214] = "ReferenceBlackWhite", [0x4746] = "Rating", [0x4749] = "RatingPercent", [0x8298] = "Copyright",
        [0x829A] = "ExposureTime", [0x829D] = "FNumber", [0x8822] = "ExposureProgram", [0x8824] = "SpectralSensitivity",
        [0x8827] = "ISOSpeedRatings", [0x8830] = "SensitivityType", [0x8831] = "StandardOutputSensitivity",
        [0x8832] = "RecommendedExposureIndex", [0x8833] = "ISOSpeed", [0x9000] = "ExifVersion",
        [0x9003] = "DateTimeOriginal", [0x9004] = "DateTimeDigitized", [0x9010] = "OffsetTime",
        [0x9011] = "OffsetTimeOriginal", [0x9012] = "OffsetTimeDigitized", [0x9102] = "CompressedBitsPerPixel",
        [0x9201] = "ShutterSpeedValue", [0x9202] = "ApertureValue", [0x9203] = "BrightnessValue",
        [0x9204] = "ExposureBiasValue", [0x9205] = "MaxApertureValue", [0x9206] = "SubjectDistance",
        [0x9207] = "MeteringMode", [0x9208] = "LightSource", [0x9209] = "Flash", [0x920A] = "FocalLength",
        [0x9214] = "SubjectArea", [0x9286] = "UserComment", [0x9290] = "SubSecTime", [0x9291] = "SubSecTimeOriginal",
        [0x9292] = "SubSecTimeDigitized", [0xA000] = "FlashpixVersion", [0xA001] = "ColorSpace",
        [0xA002] = "PixelXDimension", [0xA003] = "PixelYDimension", [0xA004] = "RelatedSoundFile",
        [0xA20B] = "FlashEnergy", [0xA20E] = "FocalPlaneXResolution", [0xA20F] = "FocalPlaneYResolution",
        [0xA210] = "FocalPlaneResolutionUnit", [0xA214] = "SubjectLocation", [0xA215] = "ExposureIndex",
        [0xA217] = "SensingMethod", [0xA401] = "CustomRendered", [0xA402] = "ExposureMode", [0xA403] = "WhiteBalance",
        [0xA404] = "DigitalZoomRatio", [0xA405] = "FocalLengthIn35mmFilm", [0xA406] = "SceneCaptureType",
        [0xA407] = "GainControl", [0xA408] = "Contrast", [0xA409] = "Saturation", [0xA40A] = "Sharpness",
        [0xA40C] = "SubjectDistanceRange", [0xA420] = "ImageUniqueID", [0xA430] = "CameraOwnerName",
        [0xA431] = "BodySerialNumber", [0xA432] = "LensSpecification", [0xA433] = "LensMake", [0xA434] = "LensModel",
        [0xA435] = "LensSerialNumber", [0xA460] = "CompositeImage", [0xA500] = "Gamma",
    };

    private static readonly Dictionary<int, string> GpsNames = new()
    {
        [0x00] = "GPSVersionID", [0x01] = "GPSLatitudeRef", [0x02] = "GPSLatitude", [0x03] = "GPSLongitudeRef",
        [0x04] = "GPSLongitude", [0x05] = "GPSAltitudeRef", [0x06] = "GPSAltitude", [0x07] = "GPSTimeStamp",
        [0x08] = "GPSSatellites", [0x09] = "GPSStatus", [0x0A] = "GPSMeasureMode", [0x0B] = "GPSDOP",
        [0x0C] = "GPSSpeedRef", [0x0D] = "GPSSpeed", [0x0E] = "GPSTrackRef", [0x0F] = "GPSTrack",
        [0x10] = "GPSImgDirectionRef", [0x11] = "GPSImgDirection", [0x12] = "GPSMapDatum", [0x13] = "GPSDestLatitudeRef",
        [0x14] = "GPSDestLatitude", [0x15] = "GPSDestLongitudeRef", [0x16] = "GPSDestLongitude",
        [0x17] = "GPSDestBearingRef", [0x18] = "GPSDestBearing", [0x19] = "GPSDestDistanceRef",
        [0x1A] = "GPSDestDistance", [0x1D] = "GPSDateStamp", [0x1E] = "GPSDifferential", [0x1F] = "GPSHPositioningError",
    };

    /// <summary>Arrays longer than this are tables (transfer functions, colour maps), not facts about a photo.</summary>
    private const int MaxArrayLength = 64;

    public static JsonObject Read(IEnumerable<MetadataExtractor.Directory> directories)
    {
        var exif = new JsonObject();
        foreach (var directory in directories)
        {
            var names = directory switch
            {
                GpsDirectory => GpsNames,
                ExifIfd0Directory or ExifSubIfdDirectory => MainNames,
                _ => null,
            };
            if (names is null)
            {
                continue;
            }

            foreach (var tag in directory.Tags)
            {
                if (names.TryGetValue(tag.Type, out var name) && !exif.ContainsKey(name) && ToJson(name, directory.GetObject(tag.Type)) is { } value)
                {
                    exif[name] = value;
                }
            }
        }

        return exif;
    }

    /// <summary>The display orientation (1–8) from the first IFD0, 1 when absent.</summary>
    public static int Orientation(IEnumerable<MetadataExtractor.Directory> directories)
    {
        var ifd0 = directories.OfType<ExifIfd0Directory>().FirstOrDefault();
        return ifd0 is not null && ifd0.TryGetInt32(ExifDirectoryBase.TagOrientation, out var orientation) && orientation is >= 1 and <= 8
            ? orientation
            : 1;
    }

    /// <summary>The GPS position as decimal degrees, "48.858400, 2.294500".</summary>
    public static string? Location(IEnumerable<MetadataExtractor.Directory> directories)
    {
        foreach (var gps in directories.OfType<GpsDirectory>())
        {
            var location = gps.GetGeoLocation();
            if (location is not null && !location.IsZero &&
                double.IsFinite(location.Latitude) && double.IsFinite(location.Longitude))
            {
                return string.Create(CultureInfo.InvariantCulture, $"{location.Latitude:F6}, {location.Longitude:F6}");
            }
        }

        return null;
    }

    private static JsonNode? ToJson(string name, object? value) => name switch
    {
        // UNDEFINED-typed tags that hold text: four ASCII digits, or a comment behind an 8-byte character-code prefix.
        "ExifVersion" or "FlashpixVersion" when value is byte[] bytes => Text(Encoding.ASCII.GetString(bytes)),
        "UserComment" when value is byte[] bytes => Text(UserComment(bytes)),
        "GPSVersionID" when value is byte[] bytes => new JsonArray(bytes.Select(b => (JsonNode)JsonValue.Create((int)b)).ToArray()),
        "DateTime" or "DateTimeOriginal" or "DateTimeDigitized" => DateTimeText(Convert(value)),
        _ => Convert(value),
    };

    private static JsonNode? Convert(object? value) => value switch
    {
        null or byte[] => null,
        string text => Text(text),
        StringValue text => Text(text.ToString()),
        Rational rational => Number(rational),
        DateTime dateTime => JsonValue.Create(dateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)),
        float single => Number(single),
        double number => Number(number),
        sbyte or byte or short or ushort or int or uint or long => JsonValue.Create(System.Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        ulong unsigned => JsonValue.Create(unsigned),
        Array array when array.Length is > 0 and <= MaxArrayLength => Items(array),
        _ => null,
    };

    private static JsonArray? Items(Array array)
    {
        var items = new JsonArray();
        foreach (var item in array)
        {
            if (Convert(item) is { } node)
            {
                items.Add(node);
            }
        }

        return items.Count > 0 ? items : null;
    }

    private static JsonValue? Text(string text)
    {
        var trimmed = text.Trim().Trim('\0').Trim();
        return trimmed.Length > 0 ? JsonValue.Create(trimmed) : null;
    }

    private static JsonValue? Number(Rational rational) =>
        rational.Denominator == 0 ? null : Number(rational.ToDouble());

    private static JsonValue? Number(double number) => double.IsFinite(number) ? JsonValue.Create(number) : null;

    /// <summary>EXIF writes "2023:06:14 09:41:27" without a zone; Directus shows ISO 8601, which we match without inventing a zone.</summary>
    private static JsonNode? DateTimeText(JsonNode? node)
    {
        if (node is not JsonValue value || !value.TryGetValue(out string? text))
        {
            return node;
        }

        return DateTime.TryParseExact(text, "yyyy:MM:dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
            ? JsonValue.Create(parsed.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture))
            : node;
    }

    /// <summary>EXIF 2.32 §4.6.5: an 8-byte character code ("ASCII", "UNICODE", "JIS", or zeros) precedes the comment.</summary>
    private static string UserComment(byte[] bytes)
    {
        if (bytes.Length <= 8)
        {
            return "";
        }

        var prefix = Encoding.ASCII.GetString(bytes, 0, 8).TrimEnd('\0', ' ');
        var body = bytes.AsSpan(8);
        if (prefix != "UNICODE")
        {
            return prefix is "ASCII" or "" ? Encoding.Latin1.GetString(body) : "";
        }

        // The byte order is the TIFF header's, which is not at hand: ASCII-range text has its zero bytes first in big-endian.
        var bigEndian = body.Length >= 2 && body[0] == 0 && body[1] != 0;
        return (bigEndian ? Encoding.BigEndianUnicode : Encoding.Unicode).GetString(body);
    }
}
