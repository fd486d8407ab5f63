using System.Text.Json.Nodes;
using AssetServer.Assets.Store;
using AssetServer.Data;
using AssetServer.Files;
using AssetServer.Rendering.Media;
using AssetServer.Storage;
using AssetServer.Transforms;

namespace AssetServer.Assets;

/// <summary>
/// Issue 17: the placeholders an upload left out because they need a decode of the image (no embedded EXIF thumbnail):
/// made by <see cref="EagerPresets"/>' queue after the answer. Each decode holds a render permit of
/// <see cref="AssetStore.Scheduler"/>, so a burst of uploads waits behind requests' renders instead of crowding them;
/// the write (<see cref="FileRepository.AddPlaceholderAsync"/>) lands only on the bytes it was computed from.
/// </summary>
public sealed class BackgroundPlaceholders(
    PlaceholderRenderer renderer, FileRepository files, IOriginalStore originals, AssetStore store, ILogger<BackgroundPlaceholders> logger,
    TransformParser? parser = null, StillExtractor? stills = null, MediaEngines? engines = null)
{
    /// <summary>Issue 20: a poster's still for its placeholder only needs this many pixels a side.</summary>
    private static readonly Dictionary<string, string> PlaceholderStill = new()
    {
        [TransformParameters.Width] = "64", [TransformParameters.Height] = "64", [TransformParameters.Fit] = "inside",
    };

    /// <summary>How long the engines may take on one poster for a placeholder (the queue wait not counted).</summary>
    private static readonly TimeSpan StillTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How often a decode refused by a full render queue is tried again, a second or more apart, before it is given up.</summary>
    private const int Attempts = 120;

    /// <summary>
    /// Whether <paramref name="record"/> (just stored or replaced) still lacks a placeholder it should have; the
    /// queue then calls <see cref="AddAsync"/> with its <c>filename_disk</c>.
    /// </summary>
    public bool Missing(FileRecord record)
    {
        if (record.Type is not { } type || !(renderer.Applies(type, record.Width, record.Height) || HasPoster(record))) return false;
        if (record.Metadata is not { } text) return true;
        try
        {
            return JsonNode.Parse(text) is JsonObject metadata && !metadata.ContainsKey("placeholder");
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Computes and stores the placeholder of file <paramref name="fileId"/> if it still holds the bytes
    /// <paramref name="filenameDisk"/>; a file replaced or deleted since is skipped (a replace queued its own).
    /// </summary>
    public async Task AddAsync(string fileId, string filenameDisk, CancellationToken ct)
    {
        if (await files.GetAsync(fileId, ct) is not { } record || record.FilenameDisk != filenameDisk || !Missing(record)) return;
        // The decode reads every compressed byte but keeps only a 1/8 scale (JPEG shrink-on-load): charged as that.
        var poster = HasPoster(record);
        var cost = (long)record.Width!.Value * record.Height!.Value / (OutputFormat.NormaliseMime(record.Type!) == "image/jpeg" ? 64 : 1)
                   + (poster ? StillExtractor.PosterCost : 0);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var permit = await store.Scheduler.AcquireAsync(cost, ct);
                using var local = await originals.LocalCopyAsync(record.FilenameDisk, record.Checksum ?? "", ct);
                if (local is null) return; // deleted meanwhile
                var placeholder = poster
                    ? await FromPosterAsync(record, local.Path, ct)
                    : renderer.Compute(local.Path, record.Type!, record.Width, record.Height);
                if (placeholder is null) return;
                permit.Dispose();
                if (!await files.AddPlaceholderAsync(record.Id, record.FilenameDisk, record.Checksum, placeholder, ct))
                    logger.LogDebug("Placeholder of {File} not stored: its bytes changed or it has one", fileId);
                return;
            }
            catch (Errors.ApiException e) when (e.Status == StatusCodes.Status400BadRequest)
            {
                // The poster is refused (damaged, a bomb): no placeholder, as for an image libvips cannot read.
                logger.LogDebug("No placeholder for {File}: {Reason}", fileId, e.Message);
                return;
            }
            catch (Errors.ApiException e) when (e.Status == StatusCodes.Status503ServiceUnavailable && attempt < Attempts)
            {
                // The render queue is full (a storm of requests): requests go first; try again shortly.
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
    }

    /// <summary>Issue 20: a video's or PDF's placeholder, when its engine is here: the one of its poster.</summary>
    private bool HasPoster(FileRecord record) =>
        parser is not null && stills is not null && record.Type is { } type && MediaEngines.HasPoster(type)
        && (engines ?? MediaEngines.Installed).CanPoster(type) && record.Width is > 0 && record.Height is > 0;

    /// <summary>The placeholder of the still a poster request would show, made small (a PDF page is rasterised at 64 pixels).</summary>
    private async Task<JsonObject?> FromPosterAsync(FileRecord record, string path, CancellationToken ct)
    {
        if (parser!.ParseServerSpec(PlaceholderStill, AssetResolver.Source(record)) is not { Poster: not null } request) return null;
        var still = Path.Combine(Path.GetTempPath(), $"assetserver-still-{Guid.NewGuid():N}.png");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(StillTimeout);
        try
        {
            await stills!.ExtractAsync(path, request, still, timeout.Token);
            return renderer.Compute(still, OutputFormat.Png.MimeType, record.Width, record.Height);
        }
        finally
        {
            File.Delete(still);
        }
    }
}
