using AssetServer.Errors;

namespace AssetServer.Files.Query;

/// <summary>
/// The bytes one response may read from <c>files</c> (or a log), charged by <see cref="Data.FileRepository"/> as each
/// row comes out of the database: the stored size of every column the statement read. Counting rows or fields is not
/// enough when one column (<c>metadata</c>) may be 64 KiB and another 36 bytes (issue 17: 29 aliases of 1000 such rows
/// took 4.3 GB). A list gets its own budget (<c>Files:MaxResponseBytes</c>); a GraphQL request shares one over all its
/// fields and aliases (<c>GraphQL:MaxResponseBytes</c>). Past the budget, the charge throws
/// 413 <c>CONTENT_TOO_LARGE</c> naming the key, and every later charge throws at once.
/// </summary>
public sealed class ReadBudget(long limit, string key)
{
    private long used;

    /// <summary>The bytes allowed.</summary>
    public long Limit => limit;

    /// <summary>The bytes charged so far.</summary>
    public long Used => Interlocked.Read(ref used);

    /// <summary>True once a charge went past <see cref="Limit"/>: nothing more may be read for this response.</summary>
    public bool Exhausted => Used > limit;

    /// <summary>One list's budget: <c>Files:MaxResponseBytes</c>.</summary>
    public static ReadBudget ForList(FilesOptions options) => new(options.MaxResponseBytes, "Files:MaxResponseBytes");

    /// <summary>Charges <paramref name="bytes"/>; throws <see cref="Exceeded"/> when the total goes past the limit.</summary>
    public void Charge(long bytes)
    {
        if (Interlocked.Add(ref used, bytes) > limit) throw Exceeded();
    }

    /// <summary>Throws <see cref="Exceeded"/> when the budget is already spent, before a statement is even started.</summary>
    public void EnsureLeft()
    {
        if (Exhausted) throw Exceeded();
    }

    /// <summary>413 <c>CONTENT_TOO_LARGE</c>, naming the budget and its key, with the limit in <c>extensions</c>.</summary>
    public ApiException Exceeded() =>
        new(413, "CONTENT_TOO_LARGE",
            $"The answer is too large: it would read more than {limit} bytes of rows ({key}). Ask for fewer rows or fields, or page through with limit and offset.",
            new Dictionary<string, object?> { ["limit"] = limit, ["budget"] = key });

    /// <summary>The bytes a stored value takes: UTF-8 text as stored, 8 for a number, nothing for null.</summary>
    public static long Size(object? value) => value switch
    {
        null or DBNull => 0,
        string text => System.Text.Encoding.UTF8.GetByteCount(text),
        byte[] bytes => bytes.Length,
        _ => 8,
    };
}
