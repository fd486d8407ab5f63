using System.Data;
using AssetServer.Data;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Files.Query;
using AssetServer.Revisions;

namespace AssetServer.Folders;

/// <summary>
/// The folder tree's rules, whatever the API: a parent must exist, a folder is never its own ancestor, and a delete
/// leaves no orphans (its files get <c>folder: null</c>, its sub-folders move up to its parent), all in one
/// transaction with its activity and revisions (<c>directus_folders</c>).
/// </summary>
public sealed class FolderService(FolderRepository repository, ChangeLog changes)
{
    public async Task<FolderRecord> GetAsync(string id, CancellationToken ct) =>
        await repository.GetAsync(ParseId(id), ct) ?? throw ApiErrors.Forbidden();

    /// <summary>A list query's rows, charged to <paramref name="budget"/> (without one, a list's own <c>Files:MaxResponseBytes</c>).</summary>
    public IAsyncEnumerable<FolderRecord> ListAsync(FileQuery query, CancellationToken ct, ReadBudget? budget = null) => repository.ListAsync(query, ct, budget);

    public Task<List<FileAggregateRow>> AggregateAsync(FileQuery query, ReadBudget budget, CancellationToken ct) => repository.AggregateAsync(query, budget, ct);

    /// <summary>The folder and every folder below it, the root first (what a folder's zip holds); FORBIDDEN when it does not exist.</summary>
    public async Task<List<FolderRecord>> SubtreeAsync(string id, CancellationToken ct)
    {
        var tree = await repository.SubtreeAsync(ParseId(id), ct);
        return tree.Count > 0 ? tree : throw ApiErrors.Forbidden();
    }

    public Task<FileListCounts> CountAsync(FileQuery query, CancellationToken ct) => repository.CountAsync(query, ct);

    public Task<List<string>> ListIdsAsync(FileQuery query, CancellationToken ct) => repository.ListIdsAsync(query, ct);

    /// <summary>The folders with these ids that exist, by id (for expanding <c>fields=folder.name</c>).</summary>
    public Task<Dictionary<string, FolderRecord>> GetManyAsync(IReadOnlyCollection<string> ids, CancellationToken ct) =>
        repository.GetManyAsync(ids, ct);

    /// <summary>New folders, all or none, in the order given; a parent may be one made earlier in the same call.</summary>
    public async Task<List<FolderRecord>> CreateAsync(IReadOnlyList<FolderInput> inputs, CancellationToken ct) =>
        await repository.InTransactionAsync(async (connection, tx) =>
        {
            await repository.LockTreeAsync(connection, tx, ct);
            var created = new List<FolderRecord>();
            foreach (var input in inputs)
            {
                var folder = new FolderRecord { Id = input.Id ?? Guid.NewGuid().ToString("D"), Name = input.Name!, Parent = input.Parent };
                if (input.Id is not null && await repository.ExistsAsync(connection, tx, folder.Id, ct))
                    throw new ApiException(400, "RECORD_NOT_UNIQUE", $"Value \"{folder.Id}\" for field \"id\" in collection \"{FolderTable.Collection}\" has to be unique.",
                        new Dictionary<string, object?> { ["collection"] = FolderTable.Collection, ["field"] = "id" });
                if (folder.Parent is { } parent) await RequireAsync(connection, tx, parent, "parent", FolderTable.Collection, ct);
                await repository.InsertAsync(connection, tx, folder, ct);
                await changes.WriteAsync(connection, tx, FolderTable.Collection, "create", folder.Id, null, folder.ToJson(), ct);
                created.Add(folder);
            }
            return created;
        }, ct);

    /// <summary>The same change to each folder (ids not found are FORBIDDEN, as Directus answers); all or none.</summary>
    public Task<List<FolderRecord>> UpdateManyAsync(IReadOnlyCollection<string> ids, FolderInput input, CancellationToken ct) =>
        UpdateEachAsync(ids.Select(ParseId).Distinct().Select(id => (id, input)).ToList(), ct);

    /// <summary>Per-folder changes; all or none. A move into the folder itself or below it is refused.</summary>
    public async Task<List<FolderRecord>> UpdateEachAsync(IReadOnlyList<(string Id, FolderInput Input)> items, CancellationToken ct) =>
        await repository.InTransactionAsync(async (connection, tx) =>
        {
            await repository.LockTreeAsync(connection, tx, ct);
            var updated = new Dictionary<string, FolderRecord>(StringComparer.Ordinal);
            foreach (var (rawId, input) in items)
            {
                var id = ParseId(rawId);
                var folder = await repository.GetInTransactionAsync(connection, tx, id, ct) ?? throw ApiErrors.Forbidden();
                var before = folder.ToJson();
                if (input.Name is { } name) folder.Name = name;
                if (input.HasParent && input.Parent != folder.Parent)
                {
                    if (input.Parent is { } parent)
                    {
                        await RequireAsync(connection, tx, parent, "parent", FolderTable.Collection, ct);
                        if (await repository.IsAncestorAsync(connection, tx, id, parent, ct))
                            throw ApiErrors.InvalidPayload($"Folder \"{id}\" cannot move into \"{parent}\": a folder cannot be its own ancestor");
                    }
                    folder.Parent = input.Parent;
                }
                await repository.UpdateAsync(connection, tx, folder, ct);
                await changes.WriteAsync(connection, tx, FolderTable.Collection, "update", id, before, folder.ToJson(), ct);
                updated[id] = folder;
            }
            return updated.Values.ToList();
        }, ct);

    /// <summary>
    /// Deletes folders (ids that do not exist are skipped, 204 as Directus). Each one's files are left in place with
    /// <c>folder: null</c>, as Directus does; its sub-folders move up to its parent (Directus answers 500 here).
    /// </summary>
    public async Task DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        var keys = ids.Select(ParseId).Distinct().ToList();
        await repository.InTransactionAsync(async (connection, tx) =>
        {
            await repository.LockTreeAsync(connection, tx, ct);
            foreach (var id in keys)
            {
                // Locked first (PostgreSQL): a file write that holds this folder finishes, then its file is cleared too.
                if (await repository.GetInTransactionAsync(connection, tx, id, ct) is not { } folder) continue;
                await repository.DeleteAsync(connection, tx, id, ct);
                await repository.MoveChildrenAsync(connection, tx, id, folder.Parent, ct);
                await repository.ClearFilesAsync(connection, tx, id, ct);
                await changes.WriteAsync(connection, tx, FolderTable.Collection, "delete", id, null, null, ct);
            }
            return true;
        }, ct);
    }

    /// <summary>
    /// Inside a write: refuses a <paramref name="field"/> of <paramref name="collection"/> that names a folder that does
    /// not exist (Directus's INVALID_FOREIGN_KEY, 400), and on PostgreSQL holds the folder until commit.
    /// For every write that files something in a folder: uploads, patches, imports, tus.
    /// </summary>
    public async Task RequireAsync(IDbConnection connection, IDbTransaction tx, string folder, string field, string collection, CancellationToken ct)
    {
        if (!await repository.ExistsAsync(connection, tx, folder, ct)) throw InvalidForeignKey(field, collection, folder);
    }

    /// <summary>Whether the folder exists, inside a write (held until commit on PostgreSQL).</summary>
    public Task<bool> ExistsAsync(IDbConnection connection, IDbTransaction tx, string folder, CancellationToken ct) =>
        repository.ExistsAsync(connection, tx, folder, ct);

    public static ApiException InvalidForeignKey(string field, string collection, string value) =>
        new(400, "INVALID_FOREIGN_KEY", $"Invalid foreign key for field \"{field}\" in collection \"{collection}\": no folder \"{value}\".",
            new Dictionary<string, object?> { ["collection"] = collection, ["field"] = field });

    /// <summary>A well-formed id in canonical form; anything else is FORBIDDEN, as Directus answers (no existence leak).</summary>
    public static string ParseId(string id) => FileService.ParseId(id);
}
