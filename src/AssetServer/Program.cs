using AssetServer.Admin;
using AssetServer.Assets;
using AssetServer.Auth;
using AssetServer.Configuration;
using AssetServer.Cors;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Folders;
using AssetServer.GraphQL;
using AssetServer.Metrics;
using AssetServer.OpenApi;
using AssetServer.Revisions;
using AssetServer.Server;
using AssetServer.Strapi;
using AssetServer.Transforms;
using AssetServer.V8;

// First of all: glibc takes MALLOC_ARENA_MAX only at exec, so the server re-executes itself with it (same PID).
MallocArenaLimit.RestartUnderLimit(typeof(Program).Assembly);
var builder = WebApplication.CreateBuilder(args);
builder.AddAssetServerConfiguration(args);
// import talks to a running server over HTTP alone: no services, no database, no data folder but its token file.
if (await AssetServer.BulkImport.ImportCommand.TryRunAsync(builder.Configuration, args)) return;
builder.Services.AddAssetServer(builder.Configuration);

var app = builder.Build();
LibvipsSetup.Apply();
// First: preflights need no token and no budget, and error answers keep the CORS headers.
app.UseAssetServerCors();
app.UseTusResumableHeader();
app.Use(app.Services.GetRequiredService<RequestActivity>().TrackAsync);
// Before the error handler, so every request is measured with the status it was finally answered.
app.UseAssetServerMetrics();
app.UseApiErrors();
// Authentication, the invalid-token budget, authorization (TokenAuthenticationSetup.UseTokenAccess).
app.UseTokenAccess();
app.MapFiles();
app.MapTus();
app.MapFolders();
app.MapAssets();
app.MapServer();
app.MapTokens();
app.MapStrapi();
app.MapRevisions();
app.MapAssetServerMetrics();
app.MapV8();
app.MapGraphQL();
app.MapAssetServerOpenApi();
app.MapAdmin();
// Commands run beside a live server on the same data folder: they migrate, but never sweep or scan its files.
await app.Services.GetRequiredService<AssetServer.Data.Database>().MigrateAsync();
if (await TokensCli.TryRunAsync(app, args) || SignCli.TryRun(app, args)) return;
try
{
    await app.PrepareDataAsync();
    // Issue 21: a new library's query indexes now; an existing library's in the background (IndexBuildService).
    await app.Services.GetRequiredService<AssetServer.Data.IndexBuilds.IndexBuilder>().PrepareAsync();
}
catch (AssetServer.Storage.DataFolderInUseException e)
{
    // One line naming the folder and the holder, and a failed exit for the supervisor; no stack trace. Disposing
    // the app flushes the console logger before the process ends.
    app.Logger.LogCritical("{Message}", e.Message);
    Environment.ExitCode = 1;
    await app.DisposeAsync();
    return;
}
app.Run();

/// <summary>The entry point; public so the test host can start the real app.</summary>
public partial class Program;
