using AssetServer.Auth;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Files.Import;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.Options;

namespace AssetServer.GraphQL;

/// <summary>
/// Directus's Mutation fields for files (and the folders', see <see cref="FolderGraphFields"/>). Every write is <see cref="FileService"/>'s, with the input checked by
/// <see cref="FileInput"/> and an import fetched by <see cref="UrlImporter"/> (its SSRF guard, size limit and timeout),
/// exactly as <c>PATCH</c>, <c>DELETE</c> and <c>POST /files/import</c> do.
/// </summary>
public sealed class FilesMutationType : ObjectGraphType
{
    public FilesMutationType(FileService files, UrlImporter importer, Folders.FolderService folders, IOptions<FilesOptions> limits)
    {
        Name = "Mutation";

        var updateOne = Field<FileGraphType>("update_files_item")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<FileUpdateInputGraphType>>("data");
        updateOne.FieldType.WithComplexityImpact(GraphQLCost.One);
        updateOne.ResolveAsync(async context =>
        {
            GraphQLAccess.Require(context, Access.Write);
            var id = Text(context.GetArgument<object?>("id"));
            var input = FileInput.FromJson(Data(context), creating: false, limits.Value);
            return await files.UpdateAsync(id, input, context.CancellationToken);
        });

        var updateMany = Field<NonNullGraphType<ListGraphType<NonNullGraphType<FileGraphType>>>>("update_files_items")
            .Argument<NonNullGraphType<ListGraphType<IdGraphType>>>("ids")
            .Argument<NonNullGraphType<FileUpdateInputGraphType>>("data");
        updateMany.FieldType.WithComplexityImpact(GraphQLCost.Ids);
        updateMany.ResolveAsync(async context =>
        {
            GraphQLAccess.Require(context, Access.Write);
            var ids = GraphQLAccess.Ids(context.GetArgument<object?>("ids"));
            var input = FileInput.FromJson(Data(context), creating: false, limits.Value);
            return await files.UpdateManyAsync(ids, input, context.CancellationToken);
        });

        var deleteOne = Field<DeletedFileGraphType>("delete_files_item").Argument<NonNullGraphType<IdGraphType>>("id");
        deleteOne.FieldType.WithComplexityImpact(GraphQLCost.One);
        deleteOne.ResolveAsync(async context =>
        {
            GraphQLAccess.Require(context, Access.Write);
            var id = Text(context.GetArgument<object?>("id"));
            await files.DeleteAsync([id], context.CancellationToken);
            return new DeletedFiles([id]);
        });

        var deleteMany = Field<DeletedFilesGraphType>("delete_files_items").Argument<NonNullGraphType<ListGraphType<IdGraphType>>>("ids");
        deleteMany.FieldType.WithComplexityImpact(GraphQLCost.One);
        deleteMany.ResolveAsync(async context =>
        {
            GraphQLAccess.Require(context, Access.Write);
            var ids = GraphQLAccess.Ids(context.GetArgument<object?>("ids"));
            await files.DeleteAsync(ids, context.CancellationToken);
            return new DeletedFiles(ids);
        });

        var import = Field<FileGraphType>("import_file")
            .Argument<NonNullGraphType<StringGraphType>>("url")
            .Argument<FileCreateInputGraphType>("data");
        import.FieldType.WithComplexityImpact(GraphQLCost.One);
        import.ResolveAsync(async context =>
        {
            GraphQLAccess.Require(context, Access.Write);
            var url = context.GetArgument<string?>("url");
            if (string.IsNullOrEmpty(url)) throw ApiErrors.InvalidPayload("\"url\" is required");
            var input = FileInput.FromJson(Data(context), creating: true, limits.Value);
            var staged = await importer.FetchAsync(url, input, context.CancellationToken);
            return (await files.CreateAsync([staged], context.CancellationToken))[0];
        });

        FolderGraphFields.AddMutations(this, folders);
    }

    /// <summary>The <c>data</c> argument as a REST body: <c>folder: {id: "…"}</c>, Directus's many-to-one input, as its id.</summary>
    private static System.Text.Json.Nodes.JsonObject Data(IResolveFieldContext context) =>
        FolderReference.Flatten(GraphQLJson.Object(context, "data"), "folder");

    private static string Text(object? value) => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
}

/// <summary>What the delete mutations return: the ids asked for (Directus answers them whether or not they existed).</summary>
public sealed record DeletedFiles(IReadOnlyList<string> Ids);

/// <summary>Directus's <c>delete_one</c>: <c>{ id }</c>.</summary>
public sealed class DeletedFileGraphType : ObjectGraphType<DeletedFiles>
{
    public DeletedFileGraphType()
    {
        Name = "delete_one";
        Field("id", typeof(NonNullGraphType<IdGraphType>)).Resolve(context => context.Source.Ids[0]);
    }
}

/// <summary>Directus's <c>delete_many</c>: <c>{ ids }</c>.</summary>
public sealed class DeletedFilesGraphType : ObjectGraphType<DeletedFiles>
{
    public DeletedFilesGraphType()
    {
        Name = "delete_many";
        Field("ids", typeof(NonNullGraphType<ListGraphType<IdGraphType>>)).Resolve(context => context.Source.Ids);
    }
}
