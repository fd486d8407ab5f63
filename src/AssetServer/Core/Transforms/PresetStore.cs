using System.Collections.Frozen;
using System.Text.Json;
using AssetServer.Assets;
using AssetServer.Errors;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace AssetServer.Transforms;

/// <summary>
/// The presets of <c>presets.json</c> in the configuration folder (<c>ConfigFolder</c>, else the current directory):
/// a JSON array of <c>{"key", "fit", "width", "height", "quality", "withoutEnlargement", "format", "transforms",
/// "background"}</c>. Each preset is validated by the same rules as a query (presets may exceed
/// <c>Assets:MaxOperations</c>). The file is reloaded when it changes; a file with any invalid preset is logged with
/// that preset's key and the reason, and the last good set stays in force. An editor saving in steps may be read
/// half-written: that read fails and keeps the last good set, and the final write triggers another reload.
/// </summary>
public sealed class PresetStore : IDisposable
{
    private const string FileName = "presets.json";

    /// <summary>What a preset may set: the query's transform parameters, and the letterbox colour.</summary>
    private static readonly string[] Properties =
        [.. TransformParameters.Names.Where(n => n != TransformParameters.Key), TransformParameters.Background, Eager];

    /// <summary><c>"eager": true</c>: rendered in the background right after each upload (issue 12).</summary>
    private const string Eager = "eager";

    private readonly AssetsOptions _options;
    private readonly ILogger<PresetStore> _logger;
    private readonly PhysicalFileProvider? _files;
    private readonly IDisposable? _watch;
    private readonly Lock _reloadLock = new();
    private FrozenDictionary<string, TransformSpec> _presets = FrozenDictionary<string, TransformSpec>.Empty;
    private FrozenSet<string> _eager = FrozenSet<string>.Empty;

    public PresetStore(IConfiguration configuration, IOptions<AssetsOptions> options, ILogger<PresetStore> logger)
    {
        _options = options.Value;
        _logger = logger;
        var folder = configuration["ConfigFolder"];
        Folder = string.IsNullOrWhiteSpace(folder) ? Directory.GetCurrentDirectory() : folder;
        Reload();
        if (Directory.Exists(Folder))
        {
            // Polling (one stat of presets.json every few seconds) instead of the provider's file system watcher,
            // which watches the folder recursively: the folder may be a repository root or a data volume.
            _files = new PhysicalFileProvider(Path.GetFullPath(Folder)) { UsePollingFileWatcher = true, UseActivePolling = true };
            // OnChange takes the next token before calling Reload, so a write during a reload is not missed.
            _watch = ChangeToken.OnChange(() => _files.Watch(FileName), () => Reload());
        }
    }

    /// <summary>The folder <c>presets.json</c> is read from.</summary>
    public string Folder { get; }

    /// <summary>The keys of the presets in force.</summary>
    public IReadOnlyCollection<string> Keys => _presets.Keys;

    /// <summary>The keys of the presets marked <c>"eager": true</c>.</summary>
    public IReadOnlyCollection<string> EagerKeys => _eager;

    /// <summary>How many times the file was read (counts failed reads too): lets tests wait for the watcher.</summary>
    internal int Reloads { get; private set; }

    /// <summary>Changes whenever a new set of presets takes effect (what was parsed from the old set is stale).</summary>
    public int Generation => Volatile.Read(ref _generation);

    private int _generation;

    internal bool TryGet(string key, out TransformSpec spec) => _presets.TryGetValue(key, out spec!);

    /// <summary>
    /// Reads the file now. Returns true when it was valid (a missing file is a valid empty set); otherwise the
    /// previous presets stay in force and the problem is logged.
    /// </summary>
    public bool Reload()
    {
        lock (_reloadLock)
        {
            Reloads++;
            var path = Path.Combine(Folder, FileName);
            try
            {
                if (!File.Exists(path))
                {
                    _presets = FrozenDictionary<string, TransformSpec>.Empty;
                    _eager = FrozenSet<string>.Empty;
                    Interlocked.Increment(ref _generation);
                    _logger.LogInformation("No {File} in {Folder}: no presets configured", FileName, Folder);
                    return true;
                }
                var (loaded, eager) = Load(File.ReadAllText(path));
                _presets = loaded;
                _eager = eager;
                Interlocked.Increment(ref _generation);
                _logger.LogInformation("Loaded {Count} presets from {Path}", loaded.Count, path);
                return true;
            }
            catch (PresetException e)
            {
                _logger.LogError("{Path}: preset \"{Key}\" is invalid: {Reason}. Keeping the previous {Count} presets",
                    path, e.Key, e.Message, _presets.Count);
            }
            catch (JsonException e)
            {
                _logger.LogError("{Path} is not valid JSON ({Reason}). Keeping the previous {Count} presets", path, e.Message, _presets.Count);
            }
            catch (IOException e)
            {
                _logger.LogError("{Path} could not be read ({Reason}). Keeping the previous {Count} presets", path, e.Message, _presets.Count);
            }
            return false;
        }
    }

    private (FrozenDictionary<string, TransformSpec>, FrozenSet<string>) Load(string json)
    {
        var eager = new HashSet<string>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (document.RootElement.ValueKind != JsonValueKind.Array)
            throw new PresetException("(file)", "the file must hold a JSON array of presets");
        var result = new Dictionary<string, TransformSpec>(StringComparer.Ordinal);
        var index = 0;
        foreach (var entry in document.RootElement.EnumerateArray())
        {
            var label = $"#{index++}";
            if (entry.ValueKind != JsonValueKind.Object) throw new PresetException(label, "a preset must be a JSON object");
            if (!entry.TryGetProperty(TransformParameters.Key, out var keyElement) || keyElement.ValueKind != JsonValueKind.String ||
                string.IsNullOrWhiteSpace(keyElement.GetString()))
                throw new PresetException(label, "\"key\" must be a non-empty string");
            var key = keyElement.GetString()!;
            if (result.ContainsKey(key)) throw new PresetException(key, "the key is used twice");

            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in entry.EnumerateObject())
            {
                if (property.Name == TransformParameters.Key) continue;
                if (!Properties.Contains(property.Name))
                    throw new PresetException(key, $"unknown property \"{property.Name}\"");
                var value = property.Value;
                if (value.ValueKind == JsonValueKind.Null) continue;
                if (property.Name == Eager)
                {
                    if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                        throw new PresetException(key, "\"eager\" must be true or false");
                    if (value.ValueKind == JsonValueKind.True) eager.Add(key);
                    continue;
                }
                fields[property.Name] = value.ValueKind switch
                {
                    JsonValueKind.String => value.GetString()!,
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => value.GetRawText(),
                };
            }
            try
            {
                result[key] = TransformSpec.Read(name => fields.GetValueOrDefault(name), _options, isPreset: true);
            }
            catch (ApiException e)
            {
                throw new PresetException(key, e.Message);
            }
        }
        return (result.ToFrozenDictionary(StringComparer.Ordinal), eager.ToFrozenSet(StringComparer.Ordinal));
    }

    public void Dispose()
    {
        _watch?.Dispose();
        _files?.Dispose();
    }

    private sealed class PresetException(string key, string reason) : Exception(reason)
    {
        public string Key { get; } = key;
    }
}
