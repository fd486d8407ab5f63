using System.Collections.Frozen;
using AssetServer.Auth;
using AssetServer.Files;
using AssetServer.Files.Query;

namespace AssetServer.Revisions;

/// <summary>
/// The activity and revisions logs as tables the REST query language can filter, sort and page: the same
/// <see cref="FileQueryParser"/> and SQL builder as <c>/files</c>, over their own allow-lists.
/// </summary>
public static class LogTables
{
    private static FileField Field(string name, FieldKind kind, string? sql = null) =>
        new(name, kind, false, _ => null) { Sql = sql ?? name };

    private static readonly FileField[] ActivityFields =
    [
        Field("id", FieldKind.Integer), Field("action", FieldKind.String), Field("user", FieldKind.String, "\"user\""),
        Field("actor", FieldKind.String), Field("timestamp", FieldKind.DateTime), Field("ip", FieldKind.String),
        Field("user_agent", FieldKind.String), Field("collection", FieldKind.String), Field("item", FieldKind.String),
        Field("origin", FieldKind.String),
    ];

    /// <summary>
    /// Where a write came from and with what client: personal data of whoever wrote, so the admin's alone (issue 17:
    /// any read token saw them). Directus leaves a field outside the role's permissions out of <c>fields=*</c> and
    /// answers 403 when a query names it; so do we.
    /// </summary>
    public static readonly IReadOnlySet<string> ClientFields = FrozenSet.Create(StringComparer.Ordinal, "ip", "user_agent");

    private static readonly string[] ActivitySearchable = ["action", "actor", "item", "collection"];

    /// <summary>The activity log as the admin reads it.</summary>
    public static readonly QueryTable Activity = ActivityTable(ActivityFields);

    /// <summary>The activity log as every other token reads it: without <see cref="ClientFields"/>, not even selected.</summary>
    private static readonly QueryTable ActivityWithoutClient =
        ActivityTable(ActivityFields.Where(f => !ClientFields.Contains(f.Name)).ToArray(), ClientFields);

    private static QueryTable ActivityTable(FileField[] fields, IReadOnlySet<string>? withheld = null) =>
        new("activity", fields, string.Join(", ", fields.Select(f => f.Sql)), ActivitySearchable, [new("id", false)])
        {
            Withheld = withheld ?? FrozenSet<string>.Empty,
        };

    public static readonly QueryTable Revisions = new(
        "revisions",
        [
            Field("id", FieldKind.Integer), Field("activity", FieldKind.Integer), Field("collection", FieldKind.String),
            Field("item", FieldKind.String), Field("data", FieldKind.Json), Field("delta", FieldKind.Json),
            Field("parent", FieldKind.Integer), Field("version", FieldKind.String),
        ],
        "id, activity, collection, item, data, delta, parent, version",
        ["item", "collection"],
        [new("id", false)]);

    /// <summary>
    /// <paramref name="table"/> as <paramref name="caller"/> may read it. The one place that decides who reads which
    /// log fields: every route over the logs asks here.
    /// </summary>
    public static QueryTable For(QueryTable table, Caller? caller) =>
        table == Activity && caller is not { IsAdmin: true } ? ActivityWithoutClient : table;

    /// <summary>Fields holding JSON text, written out as JSON.</summary>
    public static bool IsJson(string field) => field is "data" or "delta";
}
