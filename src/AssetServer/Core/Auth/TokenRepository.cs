using System.Security.Cryptography;
using System.Text;
using AssetServer.Data;
using Dapper;

namespace AssetServer.Auth;

/// <summary>A stored token, without its secret.</summary>
public sealed class TokenRecord
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string Access { get; set; } = "";
    public string CreatedOn { get; set; } = "";
}

/// <summary>Owns the SQL on <c>tokens</c>. Secrets never reach the table: only their SHA-256.</summary>
public sealed class TokenRepository(Database database, TimeProvider time)
{
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private const string Insert = "INSERT INTO tokens (id, name, hash, access, created_on) VALUES (@Id, @Name, @Hash, @Access, @CreatedOn)";

    /// <summary>Creates a token and returns it with its secret, which exists nowhere else afterwards.</summary>
    public async Task<(TokenRecord Record, string Secret)> CreateAsync(string name, string access, CancellationToken ct = default)
    {
        var secret = "as_" + System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var record = new TokenRecord
        {
            Id = Guid.NewGuid().ToString("D"),
            Name = name,
            Access = access,
            CreatedOn = Files.FileService.Timestamp(time),
        };
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(Insert,
            new { record.Id, record.Name, Hash = Hash(secret), record.Access, record.CreatedOn }, cancellationToken: ct));
        return (record, secret);
    }

    private const string SelectByHash = "SELECT id, name, access, created_on FROM tokens WHERE hash = @hash";

    public async Task<TokenRecord?> FindByHashAsync(string hash, CancellationToken ct = default)
    {
        return await database.ReadAsync(connection =>
            connection.QuerySingleOrDefaultAsync<TokenRecord>(new CommandDefinition(SelectByHash, new { hash }, cancellationToken: ct)), ct);
    }

    private const string SelectAll = "SELECT id, name, access, created_on FROM tokens ORDER BY created_on, id";

    public async Task<List<TokenRecord>> ListAsync(CancellationToken ct = default)
    {
        return (await database.ReadAsync(connection =>
            connection.QueryAsync<TokenRecord>(new CommandDefinition(SelectAll, cancellationToken: ct)), ct)).ToList();
    }

    private const string DeleteById = "DELETE FROM tokens WHERE id = @id";

    public async Task<bool> DeleteAsync(string id, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(DeleteById, new { id }, cancellationToken: ct)) > 0;
    }
}
