using AssetServer.Files;
using AssetServer.Files.Query;
using AssetServer.Folders;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.Options;

namespace AssetServer.GraphQL;

/// <summary>
/// <c>directus_folders</c>: <c>{ id name parent }</c>, where <c>parent</c> is the parent folder's object (Directus's
/// many-to-one, so <c>parent { id name }</c>), null at the top. A file's <c>folder</c> is this type too.
/// </summary>
public sealed class FolderGraphType : ObjectGraphType<FolderRecord>
{
    public FolderGraphType(IOptions<FilesOptions> files)
    {
        Name = "directus_folders";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(context => context.Source.Id)
            .FieldType.WithComplexityImpact(context => GraphQLCost.Value(context, Width("id", files.Value)));
        Field<NonNullGraphType<StringGraphType>>("name").Resolve(context => context.Source.Name)
            .FieldType.WithComplexityImpact(context => GraphQLCost.Value(context, Width("name", files.Value)));
        Field<FolderGraphType>("parent").ResolveAsync(async context =>
            await FolderLookup.Of(context).GetAsync(context.Source.Parent, context.CancellationToken));
    }

    private static double Width(string name, FilesOptions files) => GraphQLCost.Width(FolderTable.Table.Find(name)!, files);
}

/// <summary>
/// The folders one request has read, by id: a list's folders (<c>files { folder { name } }</c>) are read in one
/// statement by their primary keys, each folder once however many rows name it, and charged to the request's
/// byte budget. Resolvers run one at a time (<see cref="GraphQLExecutor"/>), so a plain dictionary serves.
/// </summary>
public sealed class FolderLookup(FolderService folders, ReadBudget budget)
{
    private const string Key = "assetserver.folders";
    private readonly Dictionary<string, FolderRecord?> known = new(StringComparer.Ordinal);

    /// <summary>The request's lookup, made on first use.</summary>
    public static FolderLookup Of(IResolveFieldContext context)
    {
        if (context.UserContext.TryGetValue(Key, out var value) && value is FolderLookup lookup) return lookup;
        lookup = new FolderLookup(context.RequestServices!.GetRequiredService<FolderService>(), GraphQLCost.Budget(context));
        context.UserContext[Key] = lookup;
        return lookup;
    }

    /// <summary>Reads the folders of <paramref name="ids"/> not read yet, in one statement.</summary>
    public async Task LoadAsync(IEnumerable<string?> ids, CancellationToken ct)
    {
        var missing = ids.OfType<string>().Where(id => !known.ContainsKey(id)).Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count == 0) return;
        budget.EnsureLeft();
        var found = await folders.GetManyAsync(missing, ct);
        foreach (var id in missing)
        {
            known[id] = found.GetValueOrDefault(id);
            if (known[id] is { } folder) budget.Charge(ReadBudget.Size(folder.Id) + ReadBudget.Size(folder.Name) + ReadBudget.Size(folder.Parent));
        }
    }

    /// <summary>The folder with this id; null for none (or one deleted since the row naming it was read).</summary>
    public async Task<FolderRecord?> GetAsync(string? id, CancellationToken ct)
    {
        if (id is null) return null;
        await LoadAsync([id], ct);
        return known[id];
    }

    /// <summary>Folders this request has just written: what a later field of the same request reads.</summary>
    public void Remember(IEnumerable<FolderRecord> written)
    {
        foreach (var folder in written) known[folder.Id] = folder;
    }

    /// <summary>Forgets every folder read: after a write, which may have moved or deleted any of them.</summary>
    public void Clear() => known.Clear();
}
