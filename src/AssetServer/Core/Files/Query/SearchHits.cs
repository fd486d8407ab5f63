namespace AssetServer.Files.Query;

/// <summary>
/// Issue 21: how many rows a search term finds, counted through SQLite's trigram table up to a bound before the
/// statement is written (PostgreSQL finds out by a bounded walk, <see cref="FileQuerySql.BuildWalk"/>), since the
/// best plan depends on it and neither planner knows it (PostgreSQL's estimate of
/// <c>LIKE '%term%'</c> and its price of the per-row test are both far off; SQLite has no estimate at all).
/// </summary>
/// <remarks>
/// Few hits: read them first and sort them (a rare word costs its own rows). Many: walk the order's index testing each
/// row, which fills a short page after a few steps because matches are common there; reading every hit first would
/// cost a common word tens of thousands of rows (745 ms on PostgreSQL, 156 ms on SQLite at a million files).
/// </remarks>
/// <param name="Count">The hits counted, at most <see cref="ProbeLimit"/>.</param>
/// <param name="Ids">
/// SQLite, few hits: their <c>numeric_id</c>s as a JSON array, read by the probe, so the page and its count look the
/// rows up by them instead of asking the trigram table again (one MATCH per request); null otherwise.
/// </param>
public sealed record SearchHits(long Count, string? Ids = null)
{
    /// <summary>
    /// Most hits read first and sorted. Past it, walking the order's index costs about page × rows / hits steps, under
    /// 12,500 of a million rows for a 25-row page, which is what sorting this many hits costs (benchmarks/RESULTS.md).
    /// </summary>
    public const int Few = 2000;

    /// <summary>Rows counted at most: one past <see cref="Few"/> tells "many" apart.</summary>
    public const int ProbeLimit = Few + 1;

    /// <summary>What the probe (<see cref="FileQuerySql.BuildSearchProbe"/>) read: its count, and its ids when they are all.</summary>
    public static SearchHits Probed(long count, string ids) => new(count, count <= Few ? ids : null);

    /// <summary>Whether <see cref="Count"/> is every hit (the probe stopped before its limit).</summary>
    public bool Exact => Count <= Few;

    /// <summary>
    /// Whether a page walks the order's index: many hits, and a page near the start of the list (a deep or unbounded
    /// page walks past most rows, where reading the hits first costs less).
    /// </summary>
    public bool WalkOrder(FileQuery query) => !Exact && ShortPage(query);

    /// <summary>A page near the start of the list, which a walk of the order's index reaches after a few steps.</summary>
    public static bool ShortPage(FileQuery query) => query.Limit is { } limit && query.Offset + limit <= MaxWalkedPage;

    /// <summary>
    /// Files PostgreSQL's bounded walk tests (<see cref="FileQuerySql.BuildWalk"/>) for each row up to the page's end:
    /// a word in 1 file in 20 fills the page within them. Each is a random read of a row, about 5 µs at a million
    /// files, so a rare word loses 2–3 ms on a page of 25, or null for a page ending past 100 rows (the planner's choice).
    /// </summary>
    public static int? WalkedRows(FileQuery query) =>
        query.Limit is { } limit && query.Offset + limit <= 100 ? (query.Offset + limit) * 20 : null;

    /// <summary>Hits to be read first, however many (PostgreSQL's page after its bounded walk came back short); not a count.</summary>
    public static readonly SearchHits ReadFirst = new(0);

    /// <summary>The last row a walked page may end at: 40 pages of 25.</summary>
    private const int MaxWalkedPage = 1000;
}
