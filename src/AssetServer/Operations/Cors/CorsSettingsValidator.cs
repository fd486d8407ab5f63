using Microsoft.Extensions.Options;

namespace AssetServer.Cors;

/// <summary>Fails the start, naming the key and the value at fault, when an enabled CORS set-up could never work as meant.</summary>
public sealed class CorsSettingsValidator : IValidateOptions<CorsSettings>
{
    public ValidateOptionsResult Validate(string? name, CorsSettings options)
    {
        if (!options.Enabled) return ValidateOptionsResult.Success;
        List<string> failures = [];
        var origins = options.Origins;
        if (origins.Length == 0)
            failures.Add("Cors:Origins is empty while Cors:Enabled is true: list the origins (https://app.example), or give true to reflect any origin, or *.");
        if (origins.Length > 1 && origins.Any(o => CorsSetup.IsAnyOrigin(o) || CorsSetup.IsReflectOrigin(o)))
            failures.Add($"Cors:Origins: \"{string.Join(",", origins)}\": true and * stand alone, not in a list of origins.");
        foreach (var origin in origins.Where(o => !CorsSetup.IsAnyOrigin(o) && !CorsSetup.IsReflectOrigin(o) && !IsOrigin(o)))
            failures.Add($"Cors:Origins: \"{origin}\" is not an origin as a browser sends it: scheme://host[:port], no path or trailing slash (example: https://app.example).");
        // The Fetch standard refuses credentials with a wildcard: browsers would block every answer.
        if (options.Credentials && origins is [var only] && CorsSetup.IsAnyOrigin(only))
            failures.Add("Cors:Credentials is true with Cors:Origins *: browsers refuse credentials with any origin; list the origins, give true to reflect them, or set Cors:Credentials to false.");
        if (options.Credentials && options.ExposedHeaders.Contains("*"))
            failures.Add("Cors:ExposedHeaders: * is not a wildcard when Cors:Credentials is true; name the headers.");
        if (options.MaxAge < 0)
            failures.Add($"Cors:MaxAge: {options.MaxAge} must be 0 or more seconds.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsOrigin(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Host) &&
        string.Equals(uri.GetLeftPart(UriPartial.Authority), value, StringComparison.OrdinalIgnoreCase);
}
