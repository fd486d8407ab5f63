using AssetServer.Data;
using Dapper;

namespace AssetServer.Tus;

/// <summary>The SQL of <c>tus_uploads</c> (migration 009): plain portable SQL for SQLite and PostgreSQL.</summary>
public sealed class TusRepository(Database database)
{
    private const string Columns =
        "id AS Id, length AS Length, upload_offset AS UploadOffset, metadata AS Metadata, replaces AS Replaces, owner AS Owner, " +
        "created_on AS CreatedOn, expires_on AS ExpiresOn";

    private const string Insert =
        "INSERT INTO tus_uploads (id, length, upload_offset, metadata, replaces, owner, created_on, expires_on) " +
        "VALUES (@Id, @Length, @UploadOffset, @Metadata, @Replaces, @Owner, @CreatedOn, @ExpiresOn)";

    public async Task InsertAsync(TusUpload upload, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(Insert, upload, cancellationToken: ct));
    }

    private const string SelectOne = $"SELECT {Columns} FROM tus_uploads WHERE id = @id";

    public Task<TusUpload?> GetAsync(string id, CancellationToken ct) =>
        database.ReadAsync(c => c.QuerySingleOrDefaultAsync<TusUpload>(new CommandDefinition(SelectOne, new { id }, cancellationToken: ct)), ct);

    private const string Advance =
        "UPDATE tus_uploads SET upload_offset = @UploadOffset, expires_on = @ExpiresOn WHERE id = @Id AND upload_offset = @from";

    /// <summary>
    /// Records the new offset, only over the one it was read at (the chunk lock makes that certain; the condition
    /// keeps a second writer from ever moving it twice). False when the row is gone or moved.
    /// </summary>
    public async Task<bool> AdvanceAsync(TusUpload upload, long from, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(Advance,
            new { upload.Id, upload.UploadOffset, upload.ExpiresOn, from }, cancellationToken: ct)) == 1;
    }

    private const string Delete = "DELETE FROM tus_uploads WHERE id = @id";

    /// <summary>True when this call removed the row.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(Delete, new { id }, cancellationToken: ct)) == 1;
    }

    // Timestamps are stored as fixed-width UTC text (FileService.Timestamp), so text order is time order.
    private const string SelectExpired = "SELECT id FROM tus_uploads WHERE expires_on < @now ORDER BY expires_on";

    public Task<List<string>> ExpiredAsync(string now, CancellationToken ct) =>
        database.ReadAsync(async c => (await c.QueryAsync<string>(new CommandDefinition(SelectExpired, new { now }, cancellationToken: ct))).ToList(), ct);

    private const string SelectIds = "SELECT id FROM tus_uploads";

    public Task<HashSet<string>> AllIdsAsync(CancellationToken ct) =>
        database.ReadAsync(async c => (await c.QueryAsync<string>(new CommandDefinition(SelectIds, cancellationToken: ct))).ToHashSet(StringComparer.Ordinal), ct);
}
