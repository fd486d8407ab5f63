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

    public static readonly QueryTable Activity = new(
        "activity",
        [
            Field("id", FieldKind.Integer), Field("action", FieldKind.String), Field("user", FieldKind.String, "\"user\""),
            Field("actor", FieldKind.String), Field("timestamp", FieldKind.DateTime), Field("ip", FieldKind.String),
            Field("user_agent", FieldKind.String), Field("collection", FieldKind.String), Field("item", FieldKind.String),
            Field("origin", FieldKind.String),
        ],
        "id, action, \"user\", actor, timestamp, ip, user_agent, collection, item, origin",
        ["action", "actor", "item", "collection"],
        [new("id", false)]);

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

    /// <summary>Fields holding JSON text, written out as JSON.</summary>
    public static bool IsJson(string field) => field is "data" or "delta";
}
