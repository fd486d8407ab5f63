namespace AssetServer.V8;

/// <summary>What <c>Server:Project</c> may be: a path segment of its own, clear of every other route's first segment.</summary>
public static class V8Project
{
    /// <summary>First segments of the other APIs' routes (and of those on the way: GraphQL, the admin page, docs, metrics).</summary>
    private static readonly string[] Taken =
        ["files", "assets", "uploads", "upload", "api", "server", "tokens", "activity", "revisions", "graphql", "admin", "docs", "metrics"];

    public const string Rule =
        "Server:Project must be 1 to 64 letters, digits, '-' or '_', and not the first segment of another route (files, assets, uploads, upload, api, …).";

    public static bool IsValid(string? project) =>
        project is { Length: > 0 and <= 64 } &&
        project.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') &&
        !Taken.Contains(project, StringComparer.OrdinalIgnoreCase);
}
