using AssetServer.Assets;
using AssetServer.Configuration;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Server;

var builder = WebApplication.CreateBuilder(args);
builder.AddAssetServerConfiguration(args);
builder.Services.AddAssetServer(builder.Configuration);

var app = builder.Build();
app.UseApiErrors();
app.MapFiles();
app.MapAssets();
app.MapServer();
await app.PrepareDataAsync();
app.Run();

/// <summary>The entry point; public so the test host can start the real app.</summary>
public partial class Program;
