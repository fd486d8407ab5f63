using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MetadataExtractor;
using MetadataExtractor.Formats.Icc;

namespace AssetServer.Metadata;

/// <summary>
/// The <c>icc</c> group, with the values Directus's <c>icc</c> parser gives (<c>"version":"2.1"</c>, <c>"deviceClass":"Monitor"</c>,
/// <c>"intent":"Perceptual"</c>), read from the profile header and its <c>desc</c>, <c>cprt</c> and <c>wtpt</c> tags (ICC.1:2022).
/// </summary>
internal static class IccMapping
{
    private static readonly Dictionary<string, string> DeviceClasses = new()
    {
        ["scnr"] = "Scanner", ["mntr"] = "Monitor", ["prtr"] = "Printer", ["link"] = "Link", ["abst"] = "Abstract",
        ["spac"] = "Space", ["nmcl"] = "Named color",
    };

    private static readonly Dictionary<string, string> Platforms = new()
    {
        ["APPL"] = "Apple", ["MSFT"] = "Microsoft", ["SGI "] = "Silicon Graphics", ["SUNW"] = "Sun Microsystems",
        ["TGNT"] = "Taligent",
    };

    private static readonly string[] Intents = ["Perceptual", "Relative", "Saturation", "Absolute"];

    public static JsonObject Read(IEnumerable<MetadataExtractor.Directory> directories)
    {
        var icc = new JsonObject();
        var directory = directories.OfType<IccDirectory>().FirstOrDefault();
        if (directory is null)
        {
            return icc;
        }

        if (directory.TryGetInt32(IccDirectory.TagProfileVersion, out var version))
        {
            icc["version"] = string.Create(CultureInfo.InvariantCulture, $"{(version >> 24) & 0xFF}.{(version >> 20) & 0x0F}");
        }

        // MetadataExtractor records header integers only when they are non-zero; the intent field is mandatory, so absent means 0.
        var intent = directory.TryGetInt32(IccDirectory.TagRenderingIntent, out var code) ? code : 0;
        if (intent >= 0 && intent < Intents.Length)
        {
            icc["intent"] = Intents[intent];
        }

        Add(icc, "deviceClass", Signature(directory, IccDirectory.TagProfileClass), DeviceClasses);
        Add(icc, "colorSpace", Signature(directory, IccDirectory.TagColorSpace));
        Add(icc, "connectionSpace", Signature(directory, IccDirectory.TagProfileConnectionSpace));
        Add(icc, "platform", Signature(directory, IccDirectory.TagPlatform), Platforms);
        Add(icc, "cmm", Signature(directory, IccDirectory.TagCmmType));
        Add(icc, "manufacturer", Signature(directory, IccDirectory.TagDeviceMake));
        Add(icc, "model", Signature(directory, IccDirectory.TagDeviceModel));
        Add(icc, "creator", Signature(directory, IccDirectory.TagProfileCreator));
        Add(icc, "description", TagText(directory.GetObject(IccDirectory.TagTagDesc) as byte[]));
        Add(icc, "copyright", TagText(directory.GetObject(IccDirectory.TagTagCprt) as byte[]));
        if (directory.GetObject(IccDirectory.TagProfileDateTime) is DateTime created)
        {
            icc["creationDate"] = created.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
        }

        if (WhitePoint(directory.GetObject(IccDirectory.TagTagWtpt) as byte[]) is { } whitePoint)
        {
            icc["whitepoint"] = whitePoint;
        }

        return icc;
    }

    private static void Add(JsonObject icc, string key, string? value, Dictionary<string, string>? names = null)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        icc[key] = names is not null && names.TryGetValue(value, out var name) ? name : value.Trim();
    }

    /// <summary>A four-character signature; all-zero or blank fields mean "not set".</summary>
    private static string? Signature(MetadataExtractor.Directory directory, int tag)
    {
        var text = directory.GetObject(tag) switch
        {
            string s => s,
            StringValue s => s.ToString(),
            _ => null,
        };
        return text is null || text.Trim('\0', ' ').Length == 0 ? null : text.TrimEnd('\0');
    }

    /// <summary>Text from a <c>desc</c> (v2 textDescriptionType), <c>text</c> or <c>mluc</c> (v4, first record) tag.</summary>
    private static string? TagText(byte[]? data)
    {
        if (data is null || data.Length < 12)
        {
            return null;
        }

        var type = Encoding.ASCII.GetString(data, 0, 4);
        string? text = type switch
        {
            "desc" => Ascii(data, 12, (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(8)), (uint)(data.Length - 12))),
            "text" => Ascii(data, 8, data.Length - 8),
            "mluc" => FirstLocalized(data),
            _ => null,
        };
        text = text?.Trim('\0').Trim();
        return string.IsNullOrEmpty(text) ? null : text;
    }

    private static string Ascii(byte[] data, int offset, int length) => Encoding.ASCII.GetString(data, offset, Math.Max(0, length));

    private static string? FirstLocalized(byte[] data)
    {
        if (data.Length < 28 || BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(8)) == 0)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(20));
        var offset = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(24));
        return offset + length <= (uint)data.Length
            ? Encoding.BigEndianUnicode.GetString(data, (int)offset, (int)length)
            : null;
    }

    /// <summary>An XYZType: three s15Fixed16Number values after the 8-byte type header.</summary>
    private static JsonArray? WhitePoint(byte[]? data)
    {
        if (data is null || data.Length < 20 || Encoding.ASCII.GetString(data, 0, 4) != "XYZ ")
        {
            return null;
        }

        var values = new JsonArray();
        for (var offset = 8; offset < 20; offset += 4)
        {
            values.Add(Math.Round(BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(offset)) / 65536.0, 4));
        }

        return values;
    }
}
