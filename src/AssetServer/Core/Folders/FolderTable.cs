using AssetServer.Files;
using AssetServer.Files.Query;

namespace AssetServer.Folders;

/// <summary>
/// <c>folders</c> as the REST query language sees it: the same parser and SQL builder as <c>/files</c>, over this
/// allow-list. Files name it as the table behind their <c>folder</c> relation, and a folder's <c>parent</c> names it too
/// (<c>filter[parent][name][_eq]=…</c>, <c>fields=parent.name</c>).
/// </summary>
public static class FolderTable
{
    /// <summary>Directus's collection name, in the activity and revisions logs.</summary>
    public const string Collection = "directus_folders";

    private static FileField Field(string name, FieldKind kind, bool writable) => new(name, kind, writable, _ => null);

    public static readonly IReadOnlyList<FileField> Fields =
        [Field("id", FieldKind.Uuid, false), Field("name", FieldKind.String, true), Field("parent", FieldKind.Uuid, true) with { RelatedTable = () => Table }];

    /// <summary>Unsorted, folders list by name (then id, so paging is stable), as a folder browser shows them.</summary>
    public static readonly QueryTable Table = new("folders", Fields, "id, name, parent", ["name"], [new("name", false), new("id", false)]);
}
