using AssetServer.Configuration;
using Microsoft.Extensions.Options;

namespace AssetServer.Assets;

/// <summary>Fails the start with the key and the value at fault, so a typo in appsettings.json is found at once.</summary>
public sealed class AssetsOptionsValidator : IValidateOptions<AssetsOptions>
{
    public ValidateOptionsResult Validate(string? name, AssetsOptions options)
    {
        List<string> failures = [];
        if (!Durations.TryParse(options.CacheTtl, out _))
            failures.Add($"Assets:CacheTtl: \"{options.CacheTtl}\" is not a duration (examples: 30d, 3600s).");
        if (!Durations.TryParse(options.TransformTimeout, out var timeout) || timeout <= TimeSpan.Zero)
            failures.Add($"Assets:TransformTimeout: \"{options.TransformTimeout}\" is not a positive duration (examples: 7.5s, 500ms).");
        if (options.MaxConcurrentTransforms < 0)
            failures.Add($"Assets:MaxConcurrentTransforms: {options.MaxConcurrentTransforms} must be 0 (the number of CPUs) or more.");
        if (!Durations.TryParse(options.MaxQueueWait, out var wait) || wait <= TimeSpan.Zero)
            failures.Add($"Assets:MaxQueueWait: \"{options.MaxQueueWait}\" is not a positive duration (examples: 2.5s, 500ms).");
        if (options.RenderBudgetPixels <= 0)
            failures.Add($"Assets:RenderBudgetPixels: {options.RenderBudgetPixels} must be a positive number of pixels.");
        if (options.CheapRenderPixels < 0)
            failures.Add($"Assets:CheapRenderPixels: {options.CheapRenderPixels} must be 0 (no cheap lane) or more.");
        if (options.RenderQueueLength < 0)
            failures.Add($"Assets:RenderQueueLength: {options.RenderQueueLength} must be 0 (four per render slot) or more.");
        if (options.CacheMaxEntries <= 0)
            failures.Add($"Assets:CacheMaxEntries: {options.CacheMaxEntries} must be a positive number of files.");
        if (options.MemoryCacheBytes < 0)
            failures.Add($"Assets:MemoryCacheBytes: {options.MemoryCacheBytes} must be 0 (off) or more bytes.");
        if (options.CacheMaxBytes <= 0)
            failures.Add($"Assets:CacheMaxBytes: {options.CacheMaxBytes} must be a positive number of bytes.");
        if (options.MaxDimension <= 0)
            failures.Add($"Assets:MaxDimension: {options.MaxDimension} must be a positive number of pixels.");
        if (options.MaxInputPixels <= 0)
            failures.Add($"Assets:MaxInputPixels: {options.MaxInputPixels} must be a positive number of pixels.");
        if (options.MaxAvifPixels <= 0)
            failures.Add($"Assets:MaxAvifPixels: {options.MaxAvifPixels} must be a positive number of pixels.");
        if (options.MaxFrames <= 0)
            failures.Add($"Assets:MaxFrames: {options.MaxFrames} must be a positive number of frames.");
        if (options.MaxOperations < 0)
            failures.Add($"Assets:MaxOperations: {options.MaxOperations} must be 0 or more.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
