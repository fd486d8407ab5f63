using System.Data;
using System.Globalization;
using AssetServer.Data;
using Dapper;

namespace AssetServer.Storage.S3;

/// <summary>A put in flight: the object it writes, its multipart upload once started, the node, and when it began.</summary>
public sealed record StorageIntent(string Key, string? UploadId, string Node, string StartedOn)
{
    public DateTimeOffset Started =>
        DateTimeOffset.TryParse(StartedOn, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when) ? when : DateTimeOffset.MinValue;
}

/// <summary>
/// The <c>storage_intents</c> table (migration 006): each write to the object store is recorded, in its own
/// committed transaction, before it starts, and forgotten in the transaction of the row that references the object,
/// or once the object is deleted after a failure. Plain portable SQL (SQLite and PostgreSQL).
/// </summary>
public sealed class StorageIntents(Database database, TimeProvider time)
{
    private const string Insert = "INSERT INTO storage_intents (key, upload_id, node, started_on) VALUES (@key, NULL, @node, @now)";

    public async Task BeginAsync(string key, string node, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(Insert, new { key, node, now = Files.FileService.Timestamp(time) }, cancellationToken: ct));
    }

    private const string SetUpload = "UPDATE storage_intents SET upload_id = @uploadId WHERE key = @key";

    public async Task StartedUploadAsync(string key, string uploadId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(SetUpload, new { key, uploadId }, cancellationToken: ct));
    }

    private const string Delete = "DELETE FROM storage_intents WHERE key = @key";

    /// <summary>
    /// In the transaction of the row that now references the object. No intent to delete means a starting node took the
    /// put for a crashed one and swept it, so the object may be gone: this throws, and the row's transaction rolls back
    /// (a row never commits without its object; the client is told to send the upload again).
    /// </summary>
    public async Task ClaimAsync(IDbConnection connection, IDbTransaction tx, string key, CancellationToken ct)
    {
        if (await connection.ExecuteAsync(new CommandDefinition(Delete, new { key }, tx, cancellationToken: ct)) == 0)
            throw Errors.ApiErrors.ServiceUnavailable("storage",
                "The upload's bytes were removed from the object store before its row committed (its put was taken for a crashed one); send it again",
                retryAfterSeconds: 1);
    }

    /// <summary>After the object was deleted (or never written).</summary>
    public async Task ForgetAsync(string key)
    {
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync(Delete, new { key });
    }

    private const string SelectAll = "SELECT key AS Key, upload_id AS UploadId, node AS Node, started_on AS StartedOn FROM storage_intents ORDER BY id";

    public async Task<List<StorageIntent>> AllAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<StorageIntent>(new CommandDefinition(SelectAll, cancellationToken: ct))).ToList();
    }
}
