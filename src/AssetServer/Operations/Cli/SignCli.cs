namespace AssetServer.Assets;

/// <summary><c>dotnet run --project src/AssetServer -- sign "/assets/&lt;id&gt;?width=200"</c>: prints the signed URL.</summary>
public static class SignCli
{
    public static bool TryRun(WebApplication app, string[] args)
    {
        if (args.Length == 0 || args[0] != "sign") return false;
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: sign \"/assets/<id>?width=200&height=200\"");
            Environment.ExitCode = 2;
            return true;
        }
        try
        {
            Console.WriteLine(app.Services.GetRequiredService<AssetSigner>().SignUrl(args[1]));
        }
        catch (Errors.ApiException e)
        {
            Console.Error.WriteLine(e.Message);
            Environment.ExitCode = 2;
        }
        return true;
    }
}
