using AssetServer.OpenApi;
using AssetServer.Assets;
using AssetServer.Auth;
using AssetServer.Cors;
using AssetServer.Data;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Files.Import;
using AssetServer.GraphQL;
using AssetServer.Metadata;
using AssetServer.RateLimiting;
using AssetServer.Server;
using AssetServer.Storage;
using AssetServer.Tus;
using Microsoft.Extensions.Options;

namespace AssetServer.Configuration;

/// <summary>Configuration sources and the service graph, kept out of Program.cs so it reads as a table of contents.</summary>
public static class ServiceSetup
{
    /// <summary>
    /// appsettings.json from the repository root (wherever the server is started from), then
    /// <c>ASSETSERVER_</c> environment variables, then the command line, each overriding the one before.
    /// </summary>
    public static void AddAssetServerConfiguration(this WebApplicationBuilder builder, string[] args)
    {
        var folder = ConfigFolder.Locate();
        builder.Configuration["ConfigFolder"] = folder;
        builder.Configuration.AddJsonFile(Path.Combine(folder, "appsettings.json"), optional: true, reloadOnChange: false);
        builder.Configuration.AddEnvironmentVariables("ASSETSERVER_");
        builder.Configuration.AddCommandLine(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls("http://localhost:8055");
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // Upload size is enforced per request by the upload reader, which knows the configured limit.
            k.Limits.MaxRequestBodySize = null;
        });
    }

    public static IServiceCollection AddAssetServer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptionsWithValidateOnStart<DataOptions>().BindConfiguration("Data")
            .Validate(o => Durations.TryParse(o.SweepGrace, out _), "Data:SweepGrace must be a duration such as 1h.");
        services.AddOptionsWithValidateOnStart<AuthOptions>().BindConfiguration("Auth");
        services.AddOptionsWithValidateOnStart<FilesOptions>().BindConfiguration("Files")
            .Validate(o => o.DefaultLimit >= 0 && o.MaxLimit >= 0, "Files:DefaultLimit and Files:MaxLimit must be 0 or more.")
            .Validate(o => o.ShortSearchRows >= 1, "Files:ShortSearchRows must be 1 or more.")
            .Validate(o => o.MaxMetadataBytes > 0, "Files:MaxMetadataBytes must be a positive number of bytes.")
            .Validate(o => o.MaxResponseBytes > 0, "Files:MaxResponseBytes must be a positive number of bytes.")
            .Validate(o => o.KeepVersions is >= 0 and <= 1000, "Files:KeepVersions must be a number of versions from 0 to 1000.");
        services.AddOptionsWithValidateOnStart<UploadsOptions>().BindConfiguration("Uploads")
            .PostConfigure(o =>
            {
                // The binder fills arrays only from indexed keys (Uploads:AllowedTypes:0); an environment variable
                // usually gives one comma list (ASSETSERVER_Uploads__AllowedTypes=image/*,application/pdf).
                o.AllowedTypes = CommaList(configuration["Uploads:AllowedTypes"]) ?? o.AllowedTypes;
                o.DeniedTypes = CommaList(configuration["Uploads:DeniedTypes"]) ?? o.DeniedTypes;
            })
            .Validate(o => o.MaxBytes > 0, "Uploads:MaxBytes must be a positive number of bytes.");
        services.AddOptionsWithValidateOnStart<ImportOptions>().BindConfiguration("Import")
            .Validate(o => o.MaxBytes > 0, "Import:MaxBytes must be a positive number of bytes.")
            .Validate(o => Durations.TryParse(o.Timeout, out _), "Import:Timeout must be a duration such as 30s.");
        services.AddOptionsWithValidateOnStart<MetadataOptions>().BindConfiguration("Metadata")
            .PostConfigure(o => o.AllowList = CommaList(configuration["Metadata:AllowList"]) ?? o.AllowList);
        services.AddOptionsWithValidateOnStart<ServerOptions>().BindConfiguration("Server")
            .Validate(o => V8.V8Project.IsValid(o.Project), V8.V8Project.Rule);
        services.AddOptionsWithValidateOnStart<Caching.CachingOptions>().BindConfiguration("Caching")
            .Validate(o => o.RowBytes >= 0, "Caching:RowBytes must be 0 (off) or a positive number of bytes.")
            .Validate(o => o.MemoBytes >= 0, "Caching:MemoBytes must be 0 (off) or a positive number of bytes.")
            .Validate(o => o.TokenBytes >= 0, "Caching:TokenBytes must be 0 (off) or a positive number of bytes.");

        services.AddSingleton(sp =>
        {
            var configured = sp.GetRequiredService<IOptions<DataOptions>>().Value.Path;
            var baseFolder = configuration["ConfigFolder"] ?? Directory.GetCurrentDirectory();
            return new DataPaths(Path.Combine(baseFolder, configured));
        });
        services.AddSingleton<DataFolderLock>();
        services.AddDatabase();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new RequestActivity());
        services.AddSingleton<IdleMemoryTrimmer>();
        services.AddHostedService(sp => sp.GetRequiredService<IdleMemoryTrimmer>());
        services.AddSingleton<DataVersion>();
        services.AddSingleton<Data.IndexBuilds.IndexBuilder>();
        services.AddHostedService<Data.IndexBuilds.IndexBuildService>();
        services.AddSingleton<FileRepository>();
        services.AddSingleton<FileStore>();
        services.AddOriginalStore();
        services.AddTokenAuthentication();
        services.AddOptionsWithValidateOnStart<Rendering.Media.MediaOptions>().BindConfiguration("Media")
            .Validate(o => Durations.TryParse(o.ProbeTimeout, out _), "Media:ProbeTimeout must be a duration such as 10s.")
            .Validate(o => Durations.TryParse(o.MaxDuration, out _), "Media:MaxDuration must be a duration such as 4h.")
            .Validate(o => o.MemoryLimitMb >= 64 && o.CpuLimitSeconds >= 1 && o.MaxPdfPages >= 1 && o.MaxPdfPagePoints >= 1,
                "Media:MemoryLimitMb must be at least 64; Media:CpuLimitSeconds, MaxPdfPages and MaxPdfPagePoints at least 1.");
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<Rendering.Media.MediaOptions>>().Value.EnginePath is { Length: > 0 } folders
            ? Rendering.Media.MediaEngines.In(folders)
            : Rendering.Media.MediaEngines.Installed);
        services.AddSingleton<Rendering.Media.SandboxedProcess>();
        services.AddSingleton<Rendering.Media.MediaProbe>();
        services.AddSingleton<Rendering.Media.StillExtractor>();
        services.AddSingleton<MetadataScraper>();
        services.AddSingleton(sp => new Files.Query.FileQueryParser(sp.GetRequiredService<IOptions<FilesOptions>>().Value));
        services.AddSingleton<UploadReader>();
        services.AddSingleton<FileService>();
        services.AddTus();
        services.AddSingleton<Folders.FolderRepository>();
        services.AddSingleton<Folders.FolderService>();
        services.AddSingleton<Transforms.PlaceholderRenderer>();
        services.AddSingleton<Metrics.AssetMetrics>();
        services.AddAssetServerOpenApi();
        services.AddOptionsWithValidateOnStart<Metrics.MetricsOptions>().BindConfiguration("Metrics");
        services.AddSingleton<Assets.BackgroundPlaceholders>();
        services.AddSingleton<Assets.EagerPresets>();
        services.AddHostedService(sp => sp.GetRequiredService<Assets.EagerPresets>());
        services.AddHttpContextAccessor();
        services.AddSingleton<Revisions.ChangeContext>();
        services.AddSingleton<Revisions.ChangeLog>();
        // Dialects: their services, and their error shapes for their own paths (v8's first: /uploads/_/originals is its).
        services.AddSingleton<V8.V8Query>();
        services.AddSingleton<V8.V8Thumbnails>();
        services.AddSingleton<V8.V8FileObject>();
        services.AddSingleton<V8.V8Uploads>();
        services.AddSingleton<V8.V8Files>();
        services.AddSingleton<Errors.IErrorDialect, V8.V8ErrorDialect>();
        services.AddSingleton<Strapi.StrapiFormats>();
        // Strapi makes its formats at upload: rendered in the background for files from every API (issue 17), unless a
        // deployment that never serves Strapi clients turns it off (Strapi:EagerFormats; they then render on first request).
        services.AddSingleton<Assets.IEagerDerivatives>(sp => sp.GetRequiredService<Strapi.StrapiFormats>());
        services.AddSingleton<Strapi.StrapiFiles>();
        services.AddSingleton<Strapi.StrapiQuery>();
        services.AddSingleton<Errors.IErrorDialect, Strapi.Strapi5ErrorDialect>();
        services.AddSingleton<Errors.IErrorDialect, Strapi.Strapi3ErrorDialect>();
        services.AddSingleton<UrlImporter>();
        services.AddDirectusGraphQL();
        services.AddAssets(configuration);
        services.AddAssetServerRateLimits();
        services.AddAssetServerCors(configuration);

        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower);
        return services;
    }

    /// <summary>
    /// <c>Database:Provider</c>: the SQLite file under <c>Data:Path</c>, or a PostgreSQL database shared by every
    /// node, whose renders then also take a cross-node lock.
    /// </summary>
    private static void AddDatabase(this IServiceCollection services)
    {
        services.AddOptionsWithValidateOnStart<DatabaseOptions>().BindConfiguration("Database")
            .Validate(o => o.Parsed is not null, "Database:Provider must be sqlite or postgres.")
            .Validate(o => o.Parsed != DatabaseProvider.Postgres || !string.IsNullOrWhiteSpace(o.ConnectionString),
                "Database:ConnectionString is required when Database:Provider is postgres.")
            .Validate(o => o.IndexBuildInlineRows >= 0 && o.IndexBuildBatchRows >= 1,
                "Database:IndexBuildInlineRows must be 0 or more, Database:IndexBuildBatchRows 1 or more.");
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            // The data folder is made with the database whichever holds the rows: originals and temp files live there.
            var paths = sp.GetRequiredService<DataPaths>();
            return options.Parsed == DatabaseProvider.Postgres ? Database.Postgres(options.ConnectionString!) : new Database(paths.Database, options.SqliteMapBytes);
        });
        services.AddSingleton<Cluster.IRenderLock>(sp => sp.GetRequiredService<Database>() is { IsPostgres: true } database
            ? new Cluster.PostgresRenderLock(database)
            : new Cluster.LocalRenderLock());
    }

    /// <summary>A comma list from one configuration value, trimmed; null when the value is empty.</summary>
    internal static string[]? CommaList(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// The data folder's lock, the start-up sweep of anything a crash left behind, and the asset store's scan; only a
    /// starting server runs it. Throws <see cref="DataFolderInUseException"/> when another server holds the folder.
    /// </summary>
    public static async Task PrepareDataAsync(this WebApplication app)
    {
        // Before the sweep: what it removes as leftovers would be another live server's uploads in flight.
        app.Services.GetRequiredService<DataFolderLock>().Take();
        // The schema is brought up to date by Program before the CLI commands, which must not run what follows.
        await StartupSweep.RunAsync(app.Services);
        app.Services.GetRequiredService<AdminToken>();
        // The asset store learns what is on disk now, not on the first request.
        app.Services.GetRequiredService<Assets.Store.AssetStore>();
    }
}
