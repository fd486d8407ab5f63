using AssetServer.Assets;
using AssetServer.Auth;
using AssetServer.Configuration;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Server;
using AssetServer.Transforms;

var builder = WebApplication.CreateBuilder(args);
builder.AddAssetServerConfiguration(args);
builder.Services.AddAssetServer(builder.Configuration);

var app = builder.Build();
LibvipsSetup.Apply();
app.UseApiErrors();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.MapFiles();
app.MapAssets();
app.MapServer();
app.MapTokens();
await app.PrepareDataAsync();
if (await TokensCli.TryRunAsync(app, args) || SignCli.TryRun(app, args)) return;
app.Run();

/// <summary>The entry point; public so the test host can start the real app.</summary>
public partial class Program;
