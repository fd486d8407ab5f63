using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace AssetServer.Tests.Support;

/// <summary>A real HTTP server on a free loopback port that import tests fetch from: create, map its routes, start.</summary>
public static class LoopbackUpstream
{
    public static WebApplication Create()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        return builder.Build();
    }

    /// <summary>Starts it; its base URL, without a trailing slash.</summary>
    public static async Task<string> StartOnLoopbackAsync(this WebApplication upstream)
    {
        await upstream.StartAsync();
        return upstream.Urls.Single().TrimEnd('/');
    }
}
