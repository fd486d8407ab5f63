using System.Text.Json.Nodes;
using AssetServer.Auth;
using AssetServer.Files;
using AssetServer.Transforms;

namespace AssetServer.Server;

/// <summary>
/// (ext) <c>GET /server/presets</c>: the presets of <c>presets.json</c> in force, so a client (the <c>/admin</c> page's
/// copy-URL buttons) can offer <c>/assets/:id?key=…</c> links without reading the server's files. Read-only; needs a
/// token with read access, as Directus's settings (where its presets live) do.
/// </summary>
public static class PresetsApi
{
    public static void MapPresets(this WebApplication app) =>
        app.MapGet("/server/presets", List).RequireAccess(Access.Read);

    /// <summary><c>{"data":[{"key","fit","width","height","format"}, …]}</c> by key; unset properties are left out.</summary>
    private static IResult List(PresetStore presets)
    {
        var items = new JsonArray();
        foreach (var key in presets.Keys.Order(StringComparer.Ordinal))
        {
            if (!presets.TryGet(key, out var spec)) continue;
            var item = new JsonObject { ["key"] = key };
            if (spec.Fit is { } fit) item["fit"] = fit.ToString().ToLowerInvariant();
            if (spec.Width is { } width) item["width"] = width;
            if (spec.Height is { } height) item["height"] = height;
            if (spec.Format is { } format) item["format"] = format;
            items.Add(item);
        }
        return JsonBody.Data(items);
    }
}
