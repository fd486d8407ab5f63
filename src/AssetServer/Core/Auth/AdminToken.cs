using System.Security.Cryptography;
using System.Text;
using AssetServer.Storage;
using Microsoft.Extensions.Options;

namespace AssetServer.Auth;

/// <summary>The admin token, from configuration or created once and kept in a 0600 file in the data folder.</summary>
public sealed class AdminToken
{
    private readonly byte[] hash;

    public AdminToken(IOptions<AuthOptions> options, DataPaths paths, ILogger<AdminToken> logger)
    {
        var token = options.Value.AdminToken;
        if (string.IsNullOrWhiteSpace(token))
        {
            var file = Path.Combine(paths.Root, "admin-token");
            if (File.Exists(file))
            {
                token = File.ReadAllText(file).Trim();
            }
            else
            {
                token = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
                var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                // Readable by the server's user alone, from the first byte (no window with wider rights).
                if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                using (var stream = new FileStream(file, create))
                {
                    stream.Write(Encoding.UTF8.GetBytes(token));
                }
            }
            // The path, never the token, goes to the log.
            logger.LogInformation("Admin token is in {Path}", file);
        }
        hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
    }

    /// <summary>Constant-time comparison of hashes, so timing tells nothing about the token.</summary>
    public bool Matches(string candidate) =>
        CryptographicOperations.FixedTimeEquals(hash, SHA256.HashData(Encoding.UTF8.GetBytes(candidate)));
}
