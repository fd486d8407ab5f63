using System.Runtime.InteropServices;

namespace AssetServer.BulkImport;

/// <summary>
/// <c>dotnet run --project src/AssetServer -- import DIR [--url URL] [--token T] [--parallel N] [--dry-run]</c>: uploads
/// a folder through the HTTP API of a running server, skipping files whose SHA-256 it already stores. Unlike the other
/// commands it needs no database: it runs before the app is built, and reads nothing local but the token file.
/// </summary>
public static class ImportCommand
{
    /// <summary>Exit codes: every file uploaded or skipped; some failed or the run stopped; a wrong command line; Ctrl-C.</summary>
    public const int Succeeded = 0, Failed = 1, BadUsage = 2, Cancelled = 130;

    private const string Help = """
        Uploads every file under DIR (sub-folders included, hidden files left out) to a running AssetServer,
        skipping files whose SHA-256 the server already stores.

          --url URL       the server (default http://localhost:8055)
          --token T       a token with write access (default: $ASSETSERVER_TOKEN, else Auth:AdminToken,
                          else the admin-token file in the server's data folder)
          --parallel N    uploads at once, 1 to 64 (default 4)
          --dry-run       list what would be uploaded and skipped; upload nothing

        Exit code: 0 when every file was uploaded or skipped, 1 when any failed, 2 for a wrong command line, 130 on Ctrl-C.
        """;

    /// <summary>Runs the command when the arguments are one; false means "start the server".</summary>
    public static async Task<bool> TryRunAsync(IConfiguration configuration, string[] args)
    {
        if (args.Length == 0 || args[0] != "import") return false;
        Environment.ExitCode = await RunAsync(configuration, args[1..]);
        return true;
    }

    public static async Task<int> RunAsync(IConfiguration configuration, string[] args)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(ImportArguments.Usage);
            Console.WriteLine(Help);
            return Succeeded;
        }
        var (arguments, error) = ImportArguments.Parse(args);
        if (arguments is null) return UsageError(error!);
        if (!Directory.Exists(arguments.Folder)) return UsageError($"no folder \"{arguments.Folder}\"");
        var (token, source) = Token(arguments.Token, configuration);
        if (token is null)
            return UsageError($"no token: pass --token T, set ASSETSERVER_TOKEN, or run where {source} is readable");

        // The first Ctrl-C (or SIGTERM) stops starting uploads and aborts those in flight; a second one kills at once.
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (cancel.IsCancellationRequested) return;
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            cancel.Cancel();
        });
        try
        {
            using var client = new ImportClient(arguments.Url, token, arguments.Parallel);
            var output = IImportOutput.ForConsole(arguments.DryRun);
            var summary = await new ImportRun(arguments, client, output).RunAsync(cancel.Token);
            if (summary.Cancelled) output.Note($"cancelled: {IImportOutput.Files(summary.Unfinished)} not uploaded");
            if (summary.StoppedBy is { } stop) Console.Error.WriteLine($"import: stopped, {IImportOutput.Files(summary.Unfinished)} not uploaded: {Explain(stop, arguments, source)}");
            output.Note(summary.Line);
            if (summary.Cancelled) return Cancelled;
            return summary.Failed == 0 && summary.StoppedBy is null ? Succeeded : Failed;
        }
        catch (ImportStoppedException e)
        {
            Console.Error.WriteLine($"import: {Explain(e.Failure, arguments, source)}");
            return Failed;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Console.Error.WriteLine("import: cancelled before any upload");
            return Cancelled;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>
    /// The token and where it came from: <c>--token</c>, then <c>ASSETSERVER_TOKEN</c>, then the configured
    /// <c>Auth:AdminToken</c>, then the <c>admin-token</c> file the server writes in its data folder (read only, and
    /// only if it is readable). With no token, the source names the file that was looked for.
    /// </summary>
    public static (string? Token, string Source) Token(string? given, IConfiguration configuration)
    {
        if (!string.IsNullOrWhiteSpace(given)) return (given, "--token");
        if (Environment.GetEnvironmentVariable("ASSETSERVER_TOKEN") is { } env && !string.IsNullOrWhiteSpace(env)) return (env.Trim(), "ASSETSERVER_TOKEN");
        if (configuration["Auth:AdminToken"] is { } configured && !string.IsNullOrWhiteSpace(configured)) return (configured, "Auth:AdminToken");
        // The same path the server computes (ServiceSetup): Data:Path under the folder holding appsettings.json.
        var folder = configuration["ConfigFolder"] ?? Directory.GetCurrentDirectory();
        var file = Path.GetFullPath(Path.Combine(folder, configuration["Data:Path"] ?? "data", "admin-token"));
        try
        {
            var text = File.ReadAllText(file).Trim();
            return (text.Length > 0 ? text : null, file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, file);
        }
    }

    /// <summary>One sentence a person can act on: what failed, and what to change.</summary>
    private static string Explain(ServerFailure failure, ImportArguments arguments, string tokenSource) => failure switch
    {
        { Status: 401 } => $"the server at {arguments.Url} refused the token from {tokenSource} ({failure.Message}); pass a valid one with --token or ASSETSERVER_TOKEN",
        { Status: 403 } => $"the token from {tokenSource} may not do this ({failure.Message}); the import needs a token with write access",
        { Kind: FailureKind.Network } => $"{failure.Message}; is the server running there? (--url)",
        _ => failure.Message,
    };

    private static int UsageError(string message)
    {
        Console.Error.WriteLine($"import: {message}");
        Console.Error.WriteLine(ImportArguments.Usage);
        return BadUsage;
    }
}
