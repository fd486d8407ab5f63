using System.Text.Json.Nodes;
using AssetServer.Auth;
using AssetServer.Data;
using AssetServer.Storage;

namespace AssetServer.Server;

/// <summary><c>/server/ping</c> and <c>/server/health</c>, as Directus has them.</summary>
public static class ServerApi
{
    public static void MapServer(this WebApplication app)
    {
        app.MapGet("/server/ping", () => Results.Text("pong", "text/html; charset=utf-8"));
        app.MapGet("/server/health", Health);
        app.MapPresets();
    }

    /// <summary>
    /// Anyone gets the overall status (load balancers probe without a token; Directus 12 answers them 403),
    /// the admin also gets each check.
    /// </summary>
    private static async Task<IResult> Health(HttpContext context, Database database, IOriginalStore originals, Rendering.Media.MediaEngines engines)
    {
        var checks = new JsonObject();
        var ok = true;
        // Directus names a database check by its client ("pg:responseTime", "sqlite3:…"); "database" stays the summary.
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        string status;
        try
        {
            await using var connection = await database.OpenAsync(context.RequestAborted);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(context.RequestAborted);
            status = "ok";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ok = false;
            status = "error";
        }
        checks["database"] = status;
        checks[$"{database.ClientName}:responseTime"] = new JsonArray(new JsonObject
        {
            ["status"] = status,
            ["componentType"] = "datastore",
            ["provider"] = database.Provider == DatabaseProvider.Postgres ? "postgres" : "sqlite",
            ["observedUnit"] = "ms",
            ["observedValue"] = Math.Round(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3),
        });
        // A real write to the store of originals: a temp file on local disk, a small object put and deleted in s3 mode.
        try
        {
            await originals.ProbeAsync(context.RequestAborted);
            checks["storage"] = "ok";
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            ok = false;
            checks["storage"] = "error";
        }
        checks["storage_provider"] = originals.Provider;
        // Issue 20: a missing engine is no failure (uploads keep working, its posters are a 400), but the admin sees it.
        checks["media_engines"] = new JsonObject
        {
            ["video"] = engines.Video ? "ok" : "missing (ffmpeg)",
            ["pdf"] = engines.Pdf ? "ok" : "missing (poppler-utils)",
            ["sandbox"] = engines is { NoNetwork: true, Prlimit: not null } ? "ok" : engines.Prlimit is null ? "no prlimit" : "no network namespace",
        };

        var body = new JsonObject { ["status"] = ok ? "ok" : "error" };
        if (context.Caller() is { IsAdmin: true }) body["checks"] = checks;
        return Results.Text(body.ToJsonString(), "application/health+json; charset=utf-8", statusCode: ok ? 200 : 503);
    }
}
