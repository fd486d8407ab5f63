namespace AssetServer.Data.IndexBuilds;

/// <summary>Runs <see cref="IndexBuilder.BuildAsync"/> once the server is up; a failed build is logged and tried again.</summary>
public sealed class IndexBuildService(IndexBuilder builder, ILogger<IndexBuildService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!builder.Complete)
        {
            try
            {
                await builder.BuildAsync(stoppingToken);
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Index build failed; trying again in a minute (queries scan meanwhile).");
                await Task.Delay(TimeSpan.FromMinutes(1), stoppingToken);
            }
        }
    }
}
