using System.Globalization;
using AssetServer.Auth;
using AssetServer.Data;
using AssetServer.Files;
using AssetServer.Files.Query;
using AssetServer.GraphQL;
using AssetServer.Storage;
using AssetServer.Transforms;
using BenchmarkDotNet.Attributes;
using GraphQL.Transport;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Data.Sqlite;

namespace AssetServer.Benchmarks;

/// <summary>
/// <c>GET /files?limit=25</c> and the GraphQL <c>{ files(limit: 25) { …every field… } }</c> over 10,000 rows seeded
/// through the app's own <see cref="Database"/> and <see cref="FileRepository"/>; both bodies are written by the app's
/// own results into a <see cref="DefaultHttpContext"/> (no socket, no auth). Floor: the same page read with a raw
/// <c>SELECT … LIMIT 25</c> through Microsoft.Data.Sqlite on a pooled connection, every column read, nothing mapped.
/// </summary>
[MemoryDiagnoser]
public class ListBenchmarks
{
    private const int Rows = 10_000;

    private const string RawSelect =
        "SELECT id, storage, filename_disk, filename_download, title, type, folder, uploaded_by, created_on, modified_by, " +
        "modified_on, charset, filesize, width, height, duration, embed, description, location, tags, metadata, " +
        "focal_point_x, focal_point_y, uploaded_on, checksum FROM files ORDER BY uploaded_on DESC, id LIMIT 25";

    private BenchmarkHost host = null!;
    private FileRepository repository = null!;
    private FileService files = null!;
    private GraphQLExecutor graphQL = null!;
    private GraphQLRequest graphQLLimit25 = null!;
    private FileQueryParser queryParser = null!;
    private IQueryCollection limit25 = null!;
    private string rawConnectionString = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        host = BenchmarkHost.Create();
        await host.Get<Database>().MigrateAsync();
        repository = host.Get<FileRepository>();
        // FileService invalidates derivatives through the asset store, which builds the render pipeline.
        LibvipsSetup.Apply();
        files = host.Get<FileService>();
        graphQL = host.Get<GraphQLExecutor>();
        graphQLLimit25 = new GraphQLRequest { Query = $"{{ files(limit: 25) {{ {string.Join(' ', FileQuery.DefaultFields)} }} }}" };
        queryParser = host.Get<FileQueryParser>();
        limit25 = new QueryCollection(QueryHelpers.ParseQuery("limit=25"));
        rawConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = host.Get<DataPaths>().Database,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = true,
        }.ToString();

        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await repository.InTransactionAsync(async (connection, tx) =>
        {
            for (var i = 0; i < Rows; i++)
                await repository.InsertAsync(connection, tx, Row(i, start.AddMinutes(i)));
            return Rows;
        });
    }

    /// <summary>A photo's row as an upload leaves it: dimensions, tags, scraped metadata, checksum.</summary>
    internal static FileRecord Row(int i, DateTimeOffset when)
    {
        var id = new Guid(i, 0, 0x4000, [0x80, 0, 0, 0, 0, 0, 0, 0]).ToString();
        var stamp = when.ToString("O", CultureInfo.InvariantCulture);
        return new FileRecord
        {
            Id = id,
            FilenameDisk = $"{id}.jpg",
            FilenameDownload = $"harbour-{i:D5}.jpg",
            Title = $"Harbour {i:D5}",
            Type = "image/jpeg",
            CreatedOn = stamp,
            ModifiedOn = stamp,
            UploadedOn = stamp,
            Filesize = 2_000_000 + i,
            Width = 4000,
            Height = 3000,
            Description = "Fishing boats leave the harbour before sunrise.",
            Location = "Bergen, Norway",
            Tags = """["harbour","boats","dawn"]""",
            Metadata = """{"exif":{"Make":"AssetServer","Model":"Benchmark Camera","ISO":200,"FNumber":2.8},"iptc":{"City":"Bergen"}}""",
            Checksum = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i))),
        };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        SqliteConnection.ClearAllPools();
        host.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int RawSelectLimit25()
    {
        using var connection = new SqliteConnection(rawConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = RawSelect;
        using var reader = command.ExecuteReader();
        var values = new object[reader.FieldCount];
        var rows = 0;
        while (reader.Read())
        {
            reader.GetValues(values);
            rows++;
        }
        return rows;
    }

    [Benchmark]
    public async Task<int> RepositoryList()
    {
        var rows = 0;
        await foreach (var _ in repository.ListAsync(new FileQuery { Limit = 25 })) rows++;
        return rows;
    }

    /// <summary>What <c>GET /files?limit=25</c> does short of HTTP: parse the query, then stream the rows into the envelope.</summary>
    [Benchmark]
    public async Task<int> ListResponseBody()
    {
        var query = queryParser.Parse(limit25);
        var result = JsonBody.DataStream(files.ListAsync(query, default), (writer, row) => row.WriteTo(writer, query.Fields));
        return await WriteAsync(result);
    }

    /// <summary>
    /// What <c>POST /graphql/system</c> with <c>{ files(limit: 25) { …the same 25 fields… } }</c> does short of HTTP:
    /// parse and validate the document (complexity included), resolve, serialise.
    /// </summary>
    [Benchmark]
    public async Task<int> GraphQLListResponseBody()
    {
        var context = NewContext();
        var result = await graphQL.ExecuteAsync(context, graphQLLimit25, viaGet: false);
        await result.ExecuteAsync(context);
        return (int)context.Response.Body.Length;
    }

    private async Task<int> WriteAsync(IResult result)
    {
        var context = NewContext();
        await result.ExecuteAsync(context);
        return (int)context.Response.Body.Length;
    }

    private DefaultHttpContext NewContext() => new()
    {
        User = Caller.Admin.ToPrincipal(TokenAuthenticationHandler.SchemeName),
        Response = { Body = new MemoryStream() },
    };
}
