using System.Text;

namespace AssetServer.Files.Query;

/// <summary>
/// Issue 21: the index side of substring tests (<c>search</c>, <c>_contains</c>, <c>_starts_with</c>, …). Each helper
/// writes a predicate that every row the scan's own test passes also passes, so the statement can put it first for an
/// index to answer and keep the scan's test after it on the few rows found: the answer stays the scan's.
/// </summary>
internal static class SubstringMatch
{
    /// <summary>Characters a term needs for trigrams (SQLite's trigram tokenizer, pg_trgm); a shorter one is scanned.</summary>
    public const int MinLength = 3;

    public static bool Indexable(string term) => CountRunes(term) >= MinLength;

    private static int CountRunes(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes()) count++;
        return count;
    }

    /// <summary>
    /// An FTS5 query for rows whose <paramref name="column"/> (every column when null) holds <paramref name="lowered"/>:
    /// one phrase, its trigrams in a row. Inside double quotes only a double quote is special (doubled).
    /// </summary>
    public static string FtsQuery(string? column, string lowered)
    {
        var phrase = "\"" + lowered.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        return column is null ? phrase : column + " : " + phrase;
    }

    /// <summary>A LIKE pattern (escape character <c>\</c>, PostgreSQL's default) matching any text that holds <paramref name="term"/>.</summary>
    public static string ContainsPattern(string term) =>
        "%" + term.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";

    /// <summary>
    /// As <see cref="ContainsPattern"/> for a value only the database lowers (<c>lower(@p)</c>), so its lowering is
    /// the one the column's index was built with.
    /// </summary>
    public static string ContainsPatternSql(string value) =>
        $"'%' || replace(replace(replace({value}, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'";

    public static bool IsAscii(string text) => System.Text.Ascii.IsValid(text);

    /// <summary>A GLOB pattern matching any text with a character outside ASCII.</summary>
    public const string NonAsciiGlob = "*[^\u0001-\u007f]*";

    /// <summary>A prefix that names a mime group: text, then its one slash at the end ("image/").</summary>
    public static bool IsMimeGroup(string prefix) => prefix.Length > 1 && prefix.IndexOf('/') == prefix.Length - 1;

    /// <summary>
    /// The first text after every text that starts with <paramref name="prefix"/> in byte order (SQLite's BINARY,
    /// PostgreSQL's "C"): its last character moved on by one. Only for an ASCII last character, whose successor is one
    /// byte too; null otherwise (the scan's test alone then applies).
    /// </summary>
    public static string? PrefixEnd(string prefix)
    {
        if (prefix.Length == 0 || prefix[^1] >= 0x7F) return null;
        var end = new StringBuilder(prefix, 0, prefix.Length - 1, prefix.Length);
        return end.Append((char)(prefix[^1] + 1)).ToString();
    }
}
