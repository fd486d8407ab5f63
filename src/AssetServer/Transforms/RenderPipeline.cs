using AssetServer.Assets;
using AssetServer.Transforms.Steps;
using Microsoft.Extensions.Options;
using NetVips;

namespace AssetServer.Transforms;

/// <summary>
/// Renders a <see cref="TransformRequest"/> with libvips, in sharp's order: probe the header and check the limits →
/// load (shrink-on-load through <c>thumbnail</c> when nothing runs before the resize) → auto-orient from EXIF → sRGB →
/// operations that act on the source (90° rotations, flips, a leading extract, trim) → resize, crop or letterbox →
/// operations after the resize (extend, pixel operations) → flatten for JPEG → encode without metadata.
/// Animated GIF/WebP sources keep their frames when the output is GIF or WebP; other outputs get the first frame.
/// </summary>
public sealed class RenderPipeline
{
    private static readonly string[] TransformableTypes = ["image/jpeg", "image/png", "image/webp", "image/tiff", "image/avif", "image/gif"];

    private readonly AssetsOptions _options;
    private readonly ILogger<RenderPipeline> _logger;

    public RenderPipeline(IOptions<AssetsOptions> options, ILogger<RenderPipeline> logger)
    {
        _options = options.Value;
        _logger = logger;
        // Rendering with libvips's defaults would cache loads by file name and serve a replaced original's pixels.
        if (!LibvipsSetup.IsApplied)
            throw new InvalidOperationException("LibvipsSetup.Apply() must run at start-up, before the render pipeline is built.");
    }

    /// <summary>True for the MIME types this pipeline renders; others are always served as the original.</summary>
    public static bool CanTransform(string mimeType) => TransformableTypes.Contains(OutputFormat.NormaliseMime(mimeType));

    /// <summary>
    /// Renders the source into a complete file at <paramref name="outputPath"/> (a temporary path the caller renames;
    /// it is deleted again on failure). Cancelling <paramref name="ct"/> stops libvips mid-computation and throws
    /// <see cref="OperationCanceledException"/>. A damaged or unsupported source, or a source over the limits, throws
    /// an <see cref="Errors.ApiException"/> with status 400.
    /// </summary>
    public Task RenderAsync(string sourcePath, TransformRequest request, string outputPath, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        // A render blocks its thread for up to the timeout. On a dedicated thread it cannot starve the thread
        // pool, whose threads also fire the timeout timers and serve every other request.
        return Task.Factory.StartNew(() => Render(sourcePath, request, outputPath, ct), ct,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void Render(string sourcePath, TransformRequest request, string outputPath, CancellationToken ct)
    {
        var images = new List<Image>();
        try
        {
            var source = SourceProbe.Read(sourcePath);
            var animated = source.CanAnimate && request.Format.SupportsAnimation;
            var frameSize = animated ? new Dimensions(source.Stored.Width, source.PageHeight) : source.Upright;
            var plan = RenderPlan.Create(request, frameSize, _options, animated ? source.Pages : 1);
            ct.ThrowIfCancellationRequested();

            var image = animated
                ? RenderFrames(sourcePath, source, request, plan, images, ct)
                : RenderStill(sourcePath, source, request, plan, images, ct);
            image = Track(images, Encoder.Prepare(image, request.Format));
            Watch(image, ct);
            Encoder.Save(image, outputPath, request.Format, request.Encoder);
            ct.ThrowIfCancellationRequested();
        }
        catch (Exception e) when (e is VipsException or OperationCanceledException or Errors.ApiException)
        {
            TryDelete(outputPath);
            if (ct.IsCancellationRequested) throw new OperationCanceledException("The render was cancelled.", e, ct);
            if (e is VipsException vips)
            {
                var detail = FirstLine(vips.Message, sourcePath);
                _logger.LogWarning("Rendering {Source} failed in libvips: {Detail}", Path.GetFileName(sourcePath), detail);
                throw SourceProbe.Damaged(detail);
            }
            throw;
        }
        catch
        {
            TryDelete(outputPath);
            throw;
        }
        finally
        {
            foreach (var image in images) image.Dispose();
        }
    }

    private Image RenderStill(string path, SourceInfo source, TransformRequest request, RenderPlan plan, List<Image> images, CancellationToken ct)
    {
        var afterNeedsRandom = request.AfterResize.Any(o => o.NeedsRandomAccess);
        Image image;
        if (plan.Resize is { } geometry && request.BeforeResize.Count == 0)
        {
            // Shrink-on-load: libvips decodes a JPEG at 1/2, 1/4 or 1/8 scale and WebP/HEIF at the target size,
            // so a 24 MP photo is never fully decoded for a thumbnail. Orientation is applied by thumbnail.
            image = Track(images, Image.Thumbnail(path, geometry.Scaled.Width, height: geometry.Scaled.Height,
                size: Enums.Size.Force, noRotate: false, failOn: Enums.FailOn.Truncated));
            Watch(image, ct);
            image = Track(images, Srgb.Apply(image));
            image = Track(images, FitStep.Scale(image, geometry));
            image = Track(images, FitStep.CropAndPad(image, geometry, request.Resize!, request.Format));
            if (afterNeedsRandom) image = Track(images, image.CopyMemory());
        }
        else
        {
            // Stream top to bottom unless a step reads out of order (rotation, vertical flip, histogram passes).
            var random = source.Orientation > 1 || afterNeedsRandom || request.BeforeResize.Any(o => o.NeedsRandomAccess);
            image = Track(images, Image.NewFromFile(path, access: random ? Enums.Access.Random : Enums.Access.Sequential,
                failOn: Enums.FailOn.Truncated));
            Watch(image, ct);
            if (source.Orientation > 1) image = Track(images, image.Autorot());
            image = Track(images, Srgb.Apply(image));
            image = ApplyBeforeAndResize(image, request, plan, images, ct);
        }
        return ApplyAfter(image, request, images, ct);
    }

    /// <summary>Animated sources: each frame goes through the same steps, then the frames are stacked again.</summary>
    private Image RenderFrames(string path, SourceInfo source, TransformRequest request, RenderPlan plan, List<Image> images, CancellationToken ct)
    {
        var strip = Track(images, Image.NewFromFile(path, access: Enums.Access.Random, failOn: Enums.FailOn.Truncated,
            kwargs: new VOption { { "n", -1 } }));
        Watch(strip, ct);
        var frameHeight = source.PageHeight;
        var frames = new List<Image>();
        for (var page = 0; page < source.Pages; page++)
        {
            ct.ThrowIfCancellationRequested();
            var frame = Track(images, strip.ExtractArea(0, page * frameHeight, strip.Width, frameHeight));
            frame = Track(images, Srgb.Apply(frame));
            frame = ApplyBeforeAndResize(frame, request, plan, images, ct);
            frames.Add(ApplyAfter(frame, request, images, ct));
        }
        if (frames.Any(f => f.Width != frames[0].Width || f.Height != frames[0].Height || f.Bands != frames[0].Bands))
        {
            // Content-dependent steps (trim) gave frames of different sizes: keep the first frame only.
            return frames[0];
        }
        var joined = Track(images, Image.Arrayjoin(frames.ToArray(), across: 1));
        return Track(images, joined.Mutate(m =>
        {
            m.Set(GValue.GIntType, "page-height", frames[0].Height);
            foreach (var field in new[] { "delay", "loop", "gif-delay" })
            {
                if (strip.Contains(field)) m.Set(strip.GetTypeOf(field), field, strip.Get(field));
            }
        }));
    }

    private static Image ApplyBeforeAndResize(Image image, TransformRequest request, RenderPlan plan, List<Image> images, CancellationToken ct)
    {
        foreach (var op in request.BeforeResize)
        {
            ct.ThrowIfCancellationRequested();
            image = Track(images, op.Apply(image));
        }
        if (plan.Resize is null) return image;
        // The plan was made from the header; content-dependent steps (trim) can change the size, so re-plan.
        var geometry = image.Width == plan.BeforeResize.Width && image.Height == plan.BeforeResize.Height
            ? plan.Resize
            : RenderPlan.Geometry(new Dimensions(image.Width, image.Height), request.Resize!, null);
        image = Track(images, FitStep.Scale(image, geometry));
        return Track(images, FitStep.CropAndPad(image, geometry, request.Resize!, request.Format));
    }

    private static Image ApplyAfter(Image image, TransformRequest request, List<Image> images, CancellationToken ct)
    {
        foreach (var op in request.AfterResize)
        {
            ct.ThrowIfCancellationRequested();
            image = Track(images, op.Apply(image));
        }
        return image;
    }

    /// <summary>
    /// Cancellation inside libvips: progress reporting on this image makes every evaluation downstream of it call
    /// back per batch of tiles, and a cancelled token sets the image's kill flag, which aborts the computation.
    /// </summary>
    private static void Watch(Image image, CancellationToken ct)
    {
        if (ct.CanBeCanceled) image.SetProgress(NoProgress.Instance, ct);
    }

    private sealed class NoProgress : IProgress<int>
    {
        public static readonly NoProgress Instance = new();

        public void Report(int value)
        {
        }
    }

    private static Image Track(List<Image> images, Image image)
    {
        if (!images.Contains(image)) images.Add(image);
        return image;
    }

    /// <summary>The first line of a libvips error, without server paths.</summary>
    private static string FirstLine(string message, string sourcePath)
    {
        var line = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault(l => !l.StartsWith("unable to call", StringComparison.OrdinalIgnoreCase)) ?? "unknown error";
        line = line.Replace(sourcePath, Path.GetFileName(sourcePath), StringComparison.Ordinal);
        return line.Length > 200 ? line[..200] : line;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
