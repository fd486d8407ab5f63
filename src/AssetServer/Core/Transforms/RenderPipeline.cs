using AssetServer.Assets;
using AssetServer.Errors;
using AssetServer.Rendering.Media;
using AssetServer.Transforms.Steps;
using Microsoft.Extensions.Options;
using NetVips;

namespace AssetServer.Transforms;

/// <summary>
/// Renders a <see cref="TransformRequest"/> with libvips: probe the header and check the limits, load (shrink-on-load
/// through <c>thumbnail</c> when nothing acts on the source before the resize), run <see cref="Steps"/> top to bottom
/// on each frame, encode without metadata. Animated GIF/WebP sources keep their frames when the output is GIF or WebP;
/// other outputs get the first frame. Every libvips image of a render is disposed when it ends.
/// </summary>
public sealed class RenderPipeline
{
    private static readonly string[] TransformableTypes = ["image/jpeg", "image/png", "image/webp", "image/tiff", "image/avif", "image/gif"];

    /// <summary>
    /// The render of one frame, in sharp's order (so the same URL gives the same image as Directus). Each step returns
    /// its input when it has nothing to do; the render checks for cancellation after each. An operation's
    /// <see cref="Stage"/> names the step that runs it.
    /// </summary>
    private static readonly RenderStep[] Steps =
    [
        new("orient", Orient),
        new("srgb", (image, render) => Srgb.Apply(image, render.Scope)),
        Run(Stage.Source),
        new("resize", Resize),
        new("buffer", Buffer),
        Run(Stage.Flatten),
        Run(Stage.Negate),
        Run(Stage.Greyscale),
        Run(Stage.Extend),
        Run(Stage.Extract),
        Run(Stage.Rotate),
        Run(Stage.Median),
        Run(Stage.Threshold),
        Run(Stage.Blur),
        Run(Stage.Convolve),
        Run(Stage.Recomb),
        Run(Stage.Modulate),
        Run(Stage.Sharpen),
        Run(Stage.GammaOut),
        Run(Stage.Linear),
        Run(Stage.Normalise),
        Run(Stage.Clahe),
        Run(Stage.Tint),
        Run(Stage.RemoveAlpha),
        Run(Stage.EnsureAlpha),
        Run(Stage.Colourspace),
        Run(Stage.ExtractChannel),
        new("flatten for output", (image, render) => Encoder.Prepare(image, render.Request.Format)),
    ];

    private readonly AssetsOptions _options;
    private readonly ILogger<RenderPipeline> _logger;

    private readonly StillExtractor? _stills;

    public RenderPipeline(IOptions<AssetsOptions> options, ILogger<RenderPipeline> logger, StillExtractor? stills = null)
    {
        _options = options.Value;
        _logger = logger;
        _stills = stills;
        // Rendering with libvips's defaults would cache loads by file name and serve a replaced original's pixels.
        if (!LibvipsSetup.IsApplied)
            throw new InvalidOperationException("LibvipsSetup.Apply() must run at start-up, before the render pipeline is built.");
    }

    /// <summary>True for the MIME types this pipeline renders; others are always served as the original.</summary>
    public static bool CanTransform(string mimeType) => TransformableTypes.Contains(OutputFormat.NormaliseMime(mimeType));

    /// <summary>Where the step running <paramref name="stage"/> stands in the render; orders a request's operations.</summary>
    internal static int Position(Stage stage) => Array.FindIndex(Steps, step => step.Stage == stage);

    /// <summary>
    /// Renders the source into a complete file at <paramref name="outputPath"/> (a temporary path the caller renames;
    /// it is deleted again on failure). Cancelling <paramref name="ct"/> stops libvips mid-computation and throws
    /// <see cref="OperationCanceledException"/>. A damaged or unsupported source, or a source over the limits, throws
    /// an <see cref="ApiException"/> with status 400; a failure that is not the source's (an encoder refusing the
    /// image, a failed write, out of memory) throws <see cref="RenderFailedException"/>.
    /// </summary>
    public Task RenderAsync(string sourcePath, TransformRequest request, string outputPath, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (request.Poster is not null) return RenderPosterAsync(sourcePath, request, outputPath, ct);
        // A render blocks its thread for up to the timeout. On a dedicated thread it cannot starve the thread
        // pool, whose threads also fire the timeout timers and serve every other request.
        return Task.Factory.StartNew(() => Render(sourcePath, request, outputPath, ct), ct,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Issue 20: a video's frame or a PDF's page, written beside the output, replaces the source; then the same render.</summary>
    private async Task RenderPosterAsync(string sourcePath, TransformRequest request, string outputPath, CancellationToken ct)
    {
        if (_stills is null)
            throw ApiErrors.IllegalTransformationBecause("This server renders no posters of videos or PDFs", TransformParameters.Format);
        var still = outputPath + ".still.png";
        try
        {
            await _stills.ExtractAsync(sourcePath, request, still, ct);
            await Task.Factory.StartNew(() => Render(still, request, outputPath, ct), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        catch
        {
            TryDelete(outputPath);
            throw;
        }
        finally
        {
            TryDelete(still);
        }
    }

    private void Render(string sourcePath, TransformRequest request, string outputPath, CancellationToken ct)
    {
        try
        {
            using var scope = new RenderScope();
            var image = RenderImage(sourcePath, request, scope, ct);
            Watch(image, ct);
            Encoder.Save(image, outputPath, request.Format, request.Encoder);
            ct.ThrowIfCancellationRequested();
        }
        catch (Exception e)
        {
            TryDelete(outputPath);
            if (ct.IsCancellationRequested && e is VipsException or OperationCanceledException or ApiException)
                throw new OperationCanceledException("The render was cancelled.", e, ct);
            if (e is not VipsException vips) throw;
            var failure = VipsFailure.Classify(vips, sourcePath);
            if (failure is ApiException)
                _logger.LogWarning("Rendering {Source} failed on the source: {Reason}", Path.GetFileName(sourcePath), failure.Message);
            throw failure;
        }
    }

    /// <summary>Probe, plan and load, then the steps for each frame; returns the image to encode.</summary>
    private Image RenderImage(string sourcePath, TransformRequest request, RenderScope scope, CancellationToken ct)
    {
        var source = SourceProbe.Read(sourcePath, scope);
        var animated = source.CanAnimate && request.Format.SupportsAnimation;
        var frameSize = animated ? new Dimensions(source.Stored.Width, source.PageHeight) : source.Upright;
        var plan = RenderPlan.Create(request, frameSize, _options, animated ? source.Pages : 1);
        ct.ThrowIfCancellationRequested();

        var render = new RenderState(request, source, plan, scope);
        var frames = Load(sourcePath, render, ct);
        for (var i = 0; i < frames.Count; i++)
        {
            foreach (var step in Steps)
            {
                frames[i] = scope.Own(step.Apply(frames[i], render));
                ct.ThrowIfCancellationRequested();
            }
        }
        return animated ? Assemble(frames, render) : frames[0];
    }

    /// <summary>The frames to render: one for a still image, one per page of an animation.</summary>
    private static List<Image> Load(string path, RenderState render, CancellationToken ct)
    {
        var (request, source, plan, scope) = (render.Request, render.Source, render.Plan, render.Scope);
        Image image;
        if (source.CanAnimate && request.Format.SupportsAnimation)
        {
            render.Animation = SourceProbe.Load(path, scope, Enums.Access.Random, new VOption { { "n", -1 } });
            Watch(render.Animation, ct);
            return Enumerable.Range(0, source.Pages)
                .Select(page => scope.Own(render.Animation.ExtractArea(0, page * source.PageHeight, render.Animation.Width, source.PageHeight)))
                .ToList();
        }
        if (plan.Resize is { } geometry && !request.HasSourceOperations)
        {
            // Shrink-on-load: libvips decodes a JPEG at 1/2, 1/4 or 1/8 scale and WebP/HEIF at the target size,
            // so a 24 MP photo is never fully decoded for a thumbnail. Orientation is applied by thumbnail.
            image = SourceProbe.Open(() => Image.Thumbnail(path, geometry.Scaled.Width, height: geometry.Scaled.Height,
                size: Enums.Size.Force, noRotate: false, failOn: Enums.FailOn.Truncated), path, scope);
            render.ShrunkOnLoad = true;
        }
        else
        {
            // Stream top to bottom unless a step reads out of order (rotation, vertical flip, histogram passes).
            var random = source.Orientation > 1 || request.Operations.Any(o => o.NeedsRandomAccess);
            image = SourceProbe.Load(path, scope, random ? Enums.Access.Random : Enums.Access.Sequential);
        }
        Watch(image, ct);
        return [image];
    }

    private static Image Orient(Image image, RenderState render) =>
        render.ShrunkOnLoad || render.Animation is not null || render.Source.Orientation <= 1 ? image : image.Autorot();

    private static RenderStep Run(Stage stage) => new(stage.ToString(), (image, render) =>
    {
        foreach (var op in render.Request.Operations)
        {
            if (op.Stage == stage) image = render.Scope.Own(op.Apply(image, render.Scope));
        }
        return image;
    }, stage);

    /// <summary>Scale, then crop (<c>cover</c>) or letterbox (<c>contain</c>).</summary>
    private static Image Resize(Image image, RenderState render)
    {
        if (render.Plan.Resize is not { } geometry) return image;
        // The plan was made from the header; content-dependent steps (trim) can change the size, so re-plan.
        var resize = render.Request.Resize!;
        if (!render.ShrunkOnLoad && (image.Width, image.Height) != (render.Plan.BeforeResize.Width, render.Plan.BeforeResize.Height))
            geometry = RenderPlan.Geometry(new Dimensions(image.Width, image.Height), resize, null);
        image = render.Scope.Own(FitStep.Scale(image, geometry));
        return FitStep.CropAndPad(image, geometry, resize, render.Request.Format, render.Scope);
    }

    /// <summary>A thumbnail is streamed; when a later step reads out of order, decode it into memory once.</summary>
    private static Image Buffer(Image image, RenderState render) =>
        render.ShrunkOnLoad && render.Request.Operations.Any(o => o.NeedsRandomAccess) ? image.CopyMemory() : image;

    /// <summary>Stacks the rendered frames again, with the animation's timing.</summary>
    private static Image Assemble(List<Image> frames, RenderState render)
    {
        // Content-dependent steps (trim) gave frames of different sizes: keep the first frame only.
        if (frames.Any(f => f.Width != frames[0].Width || f.Height != frames[0].Height || f.Bands != frames[0].Bands))
            return frames[0];
        var strip = render.Animation!;
        var joined = render.Scope.Own(Image.Arrayjoin(frames.ToArray(), across: 1));
        return render.Scope.Own(joined.Mutate(m =>
        {
            m.Set(GValue.GIntType, "page-height", frames[0].Height);
            foreach (var field in new[] { "delay", "loop", "gif-delay" })
            {
                if (strip.Contains(field)) m.Set(strip.GetTypeOf(field), field, strip.Get(field));
            }
        }));
    }

    /// <summary>
    /// Cancellation inside libvips: progress reporting on this image makes every evaluation downstream of it call
    /// back per batch of tiles, and a cancelled token sets the image's kill flag, which aborts the computation.
    /// </summary>
    private static void Watch(Image image, CancellationToken ct)
    {
        if (ct.CanBeCanceled) image.SetProgress(NoProgress.Instance, ct);
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

    /// <summary>One row of <see cref="Steps"/>; <see cref="Stage"/> is set for the rows that run operations.</summary>
    private sealed record RenderStep(string Name, Func<Image, RenderState, Image> Apply, Stage? Stage = null);

    /// <summary>What the steps of one render share.</summary>
    private sealed class RenderState(TransformRequest request, SourceInfo source, RenderPlan plan, RenderScope scope)
    {
        public TransformRequest Request { get; } = request;
        public SourceInfo Source { get; } = source;
        public RenderPlan Plan { get; } = plan;
        public RenderScope Scope { get; } = scope;

        /// <summary><c>thumbnail</c> loaded the source already upright and scaled.</summary>
        public bool ShrunkOnLoad { get; set; }

        /// <summary>The whole animation (all pages stacked), when its frames are rendered one by one.</summary>
        public Image? Animation { get; set; }
    }

    private sealed class NoProgress : IProgress<int>
    {
        public static readonly NoProgress Instance = new();

        public void Report(int value)
        {
        }
    }
}
