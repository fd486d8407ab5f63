using AssetServer.Assets;
using AssetServer.Tests.Support;
using AssetServer.Transforms;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NetVips;

namespace AssetServer.Tests.Transforms;

/// <summary>A temp folder with source images, a parser, a pipeline and a way to render a query end to end (no HTTP).</summary>
internal sealed class TransformFixture : IDisposable
{
    public TransformFixture(AssetsOptions? options = null, string? presetsJson = null)
    {
        Folder = Path.Combine(Path.GetTempPath(), "transforms-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        Options = options ?? new AssetsOptions();
        if (presetsJson is not null) File.WriteAllText(Path.Combine(Folder, "presets.json"), presetsJson);
        Presets = CreatePresetStore(Folder, Options);
        Parser = new TransformParser(Microsoft.Extensions.Options.Options.Create(Options), Presets);
        LibvipsSetup.Apply();
        Pipeline = new RenderPipeline(Microsoft.Extensions.Options.Options.Create(Options), NullLogger<RenderPipeline>.Instance);
    }

    public string Folder { get; }
    public AssetsOptions Options { get; }
    public PresetStore Presets { get; }
    public TransformParser Parser { get; }
    public RenderPipeline Pipeline { get; }

    public static PresetStore CreatePresetStore(string folder, AssetsOptions options)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConfigFolder"] = folder })
            .Build();
        return new PresetStore(configuration, Microsoft.Extensions.Options.Options.Create(options), NullLogger<PresetStore>.Instance);
    }

    public static IQueryCollection Query(string query) => new QueryCollection(QueryHelpers.ParseQuery(query));

    public string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public string Save(string name, Image image)
    {
        var path = Path.Combine(Folder, name);
        image.WriteToFile(path);
        return path;
    }

    /// <summary>The record the Files module would have: MIME type and upright size.</summary>
    public static TransformSource SourceOf(string path, string mime, int? focalX = null, int? focalY = null)
    {
        using var header = Image.NewFromFile(path);
        var orientation = header.Contains("orientation") ? Convert.ToInt32(header.Get("orientation")) : 1;
        var (w, h) = orientation >= 5 ? (header.Height, header.Width) : (header.Width, header.Height);
        return new TransformSource(mime, w, h, focalX, focalY);
    }

    public TransformRequest Parse(string path, string mime, string query, string? accept = null, int? focalX = null, int? focalY = null) =>
        Parser.Parse(Query(query), SourceOf(path, mime, focalX, focalY), accept)
        ?? throw new AssertionException($"'{query}' parsed to no transform");

    /// <summary>Parses and renders; returns the output bytes.</summary>
    public async Task<byte[]> RenderAsync(string path, string mime, string query, string? accept = null, int? focalX = null, int? focalY = null)
    {
        var request = Parse(path, mime, query, accept, focalX, focalY);
        var output = Path.Combine(Folder, Guid.NewGuid().ToString("N") + ".out");
        await Pipeline.RenderAsync(path, request, output, CancellationToken.None);
        return await File.ReadAllBytesAsync(output);
    }

    /// <summary>Renders to PNG (lossless) and decodes, for pixel checks.</summary>
    public async Task<Image> RenderPixelsAsync(string path, string mime, string query, int? focalX = null, int? focalY = null)
    {
        var separator = query.Length == 0 ? "" : "&";
        var bytes = await RenderAsync(path, mime, query + separator + "format=png", focalX: focalX, focalY: focalY);
        return Image.NewFromBuffer(bytes);
    }

    public static Image Solid(int width, int height, params double[] colour) =>
        Image.Black(width, height).NewFromImage(colour).Copy(interpretation: colour.Length >= 3 ? Enums.Interpretation.Srgb : Enums.Interpretation.Bw).Cast(Enums.BandFormat.Uchar);

    public static Image Gradient(int width, int height) => TestImages.Gradient(width, height);

    public void Dispose()
    {
        Presets.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
