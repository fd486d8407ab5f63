using System.Text.Json.Nodes;

namespace AssetServer.Auth;

/// <summary>
/// <c>dotnet run --project src/AssetServer -- tokens create NAME read|write|admin</c>, <c>tokens list</c>,
/// <c>tokens delete ID</c>: token management from a shell on the server, with no token needed.
/// </summary>
public static class TokensCli
{
    /// <summary>Runs the command when the arguments are one; false means "start the server".</summary>
    public static async Task<bool> TryRunAsync(WebApplication app, string[] args)
    {
        if (args.Length == 0 || args[0] != "tokens") return false;
        var tokens = app.Services.GetRequiredService<TokenRepository>();
        switch (args.Skip(1).ToArray())
        {
            case ["create", var name, var access] when Enum.TryParse<Access>(access, ignoreCase: true, out var level) && name.Length is > 0 and <= 100:
                var (record, secret) = await tokens.CreateAsync(name, level.ToString().ToLowerInvariant(), CancellationToken.None);
                Console.WriteLine($"id: {record.Id}");
                Console.WriteLine($"token: {secret}");
                Console.WriteLine("Keep the token now: only its hash is stored.");
                break;
            case ["list"]:
                foreach (var t in await tokens.ListAsync())
                    Console.WriteLine(new JsonObject { ["id"] = t.Id, ["name"] = t.Name, ["access"] = t.Access, ["created_on"] = t.CreatedOn }.ToJsonString());
                break;
            case ["delete", var id]:
                // The commit moves the data version: a running server refuses the token from its next request on.
                Console.WriteLine(await tokens.DeleteAsync(id) ? $"deleted {id}" : $"no token {id}");
                break;
            default:
                Console.Error.WriteLine("usage: tokens create NAME read|write|admin | tokens list | tokens delete ID");
                Environment.ExitCode = 2;
                break;
        }
        return true;
    }
}
