using AssetServer.Files;
using AssetServer.Files.Query;
using AssetServer.Revisions;

namespace AssetServer.V8;

/// <summary>
/// A collection as v8's query language sees it: the core table it reads, the names a v8 object has (for
/// <c>fields</c>), the names <c>filter</c> and <c>sort</c> may use (each the core field of the same name), and the order
/// a list has without <c>sort</c>.
/// </summary>
public sealed record V8Table(
    string Collection, QueryTable Core, IReadOnlyList<string> ObjectFields, IReadOnlySet<string> QueryFields, string DefaultSort);

public static class V8Tables
{
    public const string FilesCollection = "directus_files";

    /// <summary>
    /// The file object: Directus's fields, then <c>private_hash</c> and the computed <c>data</c>. Unsorted, v8 lists in
    /// upload order (its integer ids ascend with uploads; ours are UUIDs, so <c>created_on</c> stands in).
    /// </summary>
    public static readonly V8Table Files = new(
        FilesCollection,
        QueryTable.Files,
        [.. FileFields.Visible.Select(f => f.Name), "private_hash", "data"],
        FileFields.Visible.Select(f => f.Name).Append("private_hash").ToHashSet(StringComparer.Ordinal),
        "created_on,id");

    public const string FoldersCollection = "directus_folders";

    /// <summary>
    /// v8's folder object <c>{id, name, parent_folder}</c> over the core's <c>folders</c>: <c>parent_folder</c> is v8's
    /// name for the core's <c>parent</c> (the same column, a UUID here where v8 had integers). Unsorted, by name.
    /// </summary>
    public static readonly V8Table Folders = new(
        FoldersCollection,
        new QueryTable("folders",
        [
            new FileField("id", FieldKind.Uuid, false, _ => null),
            new FileField("name", FieldKind.String, true, _ => null),
            new FileField("parent_folder", FieldKind.Uuid, true, _ => null) { Sql = "parent", Columns = ["parent"] },
        ], "id, name, parent", ["name"], [new("name", false), new("id", false)]),
        ["id", "name", "parent_folder"],
        new HashSet<string>(["id", "name", "parent_folder"], StringComparer.Ordinal),
        "name,id");

    /// <summary>v8's revision object. <c>parent_*</c> are v8's relational parents, which files never have.</summary>
    public static readonly V8Table Revisions = new(
        "directus_revisions",
        LogTables.Revisions,
        ["id", "activity", "collection", "item", "data", "delta", "parent_collection", "parent_item", "parent_changed"],
        new HashSet<string>(["id", "activity", "collection", "item"], StringComparer.Ordinal),
        "id");
}
