using System.Globalization;

namespace AssetServer.BulkImport;

/// <summary>
/// The command line of <c>import DIR [--url URL] [--token T] [--parallel N] [--dry-run]</c>, checked before anything
/// is read or sent: a mistake is one message and exit code 2.
/// </summary>
public sealed record ImportArguments(string Folder, Uri Url, string? Token, int Parallel, bool DryRun)
{
    public const string Usage = "usage: import DIR [--url URL] [--token T] [--parallel N] [--dry-run]";

    public static readonly Uri DefaultUrl = new("http://localhost:8055/");

    public const int DefaultParallel = 4;
    public const int MaxParallel = 64;

    /// <summary>The arguments after <c>import</c>; the error names the option and what it expected.</summary>
    public static (ImportArguments? Arguments, string? Error) Parse(IReadOnlyList<string> args)
    {
        string? folder = null, token = null;
        var url = DefaultUrl;
        var parallel = DefaultParallel;
        var dryRun = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            // --name=value and --name value are both taken, as dotnet's own options are.
            var (name, inline) = arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=') is > 2 and var eq
                ? (arg[..eq], arg[(eq + 1)..])
                : (arg, null);
            string Value()
            {
                if (inline is not null) return inline;
                if (i + 1 >= args.Count) throw new FormatException($"{name} needs a value");
                return args[++i];
            }
            try
            {
                switch (name)
                {
                    case "--url":
                        var text = Value();
                        if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https") ||
                            !string.IsNullOrEmpty(parsed.Query) || !string.IsNullOrEmpty(parsed.Fragment))
                            return (null, $"--url: expected an http or https address such as http://localhost:8055, but received \"{text}\"");
                        // A trailing slash, so relative paths ("files") stay under a server mounted at a sub-path.
                        url = parsed.AbsolutePath.EndsWith('/') ? parsed : new Uri(parsed.AbsoluteUri + "/");
                        break;
                    case "--token":
                        token = Value();
                        if (string.IsNullOrWhiteSpace(token)) return (null, "--token: expected a token, but received an empty value");
                        break;
                    case "--parallel":
                        var n = Value();
                        if (!int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out parallel) || parallel is < 1 or > MaxParallel)
                            return (null, $"--parallel: expected a number from 1 to {MaxParallel}, but received \"{n}\"");
                        break;
                    case "--dry-run" when inline is null:
                        dryRun = true;
                        break;
                    default:
                        if (arg.StartsWith('-')) return (null, $"unknown option \"{arg}\"");
                        if (folder is not null) return (null, $"one folder only, but received \"{folder}\" and \"{arg}\"");
                        folder = arg;
                        break;
                }
            }
            catch (FormatException e)
            {
                return (null, e.Message);
            }
        }
        if (folder is null) return (null, "the folder to import is missing");
        return (new ImportArguments(folder, url, token, parallel, dryRun), null);
    }
}
