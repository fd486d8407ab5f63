using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AssetServer.Metadata;

namespace AssetServer.Files;

/// <summary>
/// The names other dialects give a file: Strapi's <c>hash</c> (a slug of the name plus a random suffix, so that the
/// public URL <c>/uploads/&lt;hash&gt;&lt;ext&gt;</c> cannot be guessed from the name alone) and its <c>documentId</c>.
/// </summary>
public static class PublicNames
{
    private const int MaxSlugLength = 100;

    /// <summary><c>Landscape shot.jpg</c> → <c>Landscape_shot_4457145338</c>: Strapi's shape, 10 random hex digits.</summary>
    public static string NewHash(string name) => Slug(Path.GetFileNameWithoutExtension(name)) + "_" + RandomHex(5);

    /// <summary>The extension of the client's file name with its dot; the sniffed type's when the name has none.</summary>
    public static string Extension(string fileName, string? type)
    {
        var ext = Path.GetExtension(fileName);
        if (ext.Length is > 1 and <= 16 && ext[1..].All(char.IsAsciiLetterOrDigit)) return ext;
        return type is null or "application/octet-stream" ? "" : "." + ContentSniffer.ExtensionFor(type);
    }

    /// <summary>24 characters from a–z and 0–9, as Strapi 5's document ids.</summary>
    public static string NewDocumentId()
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(24, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        });
    }

    /// <summary>Directus v8's <c>private_hash</c>: 128 random bits as 32 hex digits (URL-safe).</summary>
    public static string NewPrivateHash() => RandomHex(16);

    /// <summary>Letters and digits kept (accents folded to their base letter), every other run becomes one <c>_</c>.</summary>
    public static string Slug(string text)
    {
        var slug = new StringBuilder(Math.Min(text.Length, MaxSlugLength));
        var pendingSeparator = false;
        foreach (var original in text)
        {
            // The server runs with invariant globalization, where Normalize(FormD) does not split "é"; fold by table.
            var folded = Fold(original);
            if (folded.Length == 0) continue;
            if (folded.All(c => char.IsAsciiLetterOrDigit(c) || c is '-'))
            {
                if (pendingSeparator && slug.Length > 0) slug.Append('_');
                pendingSeparator = false;
                slug.Append(folded);
                if (slug.Length >= MaxSlugLength) break;
            }
            else
            {
                pendingSeparator = true;
            }
        }
        return slug.Length == 0 ? "file" : slug.ToString();
    }

    /// <summary>Latin letters with accents (U+00C0–U+017F) and their base letters, position by position.</summary>
    private const string LatinFrom =
        "ÀÁÂÃÄÅàáâãäåĀāĂăĄąÇçĆćĈĉĊċČčĎďĐđÈÉÊËèéêëĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħÌÍÎÏìíîïĨĩĪīĬĭĮįİıĴĵĶķĹĺĻļĽľĿŀŁłÑñŃńŅņŇňÒÓÔÕÖØòóôõöøŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲųŴŵÝýÿŶŷŸŹźŻżŽž";

    private const string LatinTo =
        "AAAAAAaaaaaaAaAaAaCcCcCcCcCcDdDdEEEEeeeeEeEeEeEeEeGgGgGgGgHhHhIIIIiiiiIiIiIiIiIiJjKkLlLlLlLlLlNnNnNnNnOOOOOOooooooOoOoOoRrRrRrSsSsSsSsTtTtTtUUUUuuuuUuUuUuUuUuUuWwYyyYyYZzZzZz";

    /// <summary>A character as slug text: itself, its base letter, a two-letter spelling (ß → ss), or nothing for a mark.</summary>
    private static string Fold(char c)
    {
        if (char.IsAscii(c)) return c.ToString();
        if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) return "";
        var at = LatinFrom.IndexOf(c);
        if (at >= 0) return LatinTo[at].ToString();
        return c switch { 'ß' => "ss", 'Æ' => "AE", 'æ' => "ae", 'Œ' => "OE", 'œ' => "oe", 'Þ' => "TH", 'þ' => "th", 'Ð' => "D", 'ð' => "d", _ => " " };
    }

    private static string RandomHex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));
}
