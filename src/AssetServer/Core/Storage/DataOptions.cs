namespace AssetServer.Storage;

/// <summary>The <c>Data</c> section: where the SQLite file, originals and derivative cache live.</summary>
public sealed class DataOptions
{
    /// <summary>Data folder; a relative path is taken from the folder holding appsettings.json.</summary>
    public string Path { get; set; } = "data";

    /// <summary>
    /// How old a temp file or an original no row names must be before the start-up sweep removes it (an upload still
    /// being written or committed is younger). A duration such as <c>1h</c> (the default) or <c>30s</c>.
    /// </summary>
    public string SweepGrace { get; set; } = "1h";

    internal TimeSpan SweepGraceSpan => Configuration.Durations.Parse(SweepGrace, "Data:SweepGrace");
}

/// <summary>The folders inside the data folder, resolved once at start and created if missing.</summary>
public sealed class DataPaths
{
    public DataPaths(string root)
    {
        Root = System.IO.Path.GetFullPath(root);
        Database = System.IO.Path.Combine(Root, "assetserver.db");
        Originals = System.IO.Path.Combine(Root, "files");
        Derivatives = System.IO.Path.Combine(Root, "derivatives");
        Temp = System.IO.Path.Combine(Root, "tmp");
        foreach (var dir in new[] { Root, Originals, Derivatives, Temp }) Directory.CreateDirectory(dir);
    }

    public string Root { get; }
    public string Database { get; }
    /// <summary>Originals, named <c>&lt;id&gt;.&lt;ext&gt;</c> (no client text ever reaches a path).</summary>
    public string Originals { get; }
    /// <summary>Rendered derivatives, one sub-folder per file id.</summary>
    public string Derivatives { get; }
    /// <summary>Uploads and renders in progress; what a crash left is removed at start (<see cref="DataOptions.SweepGrace"/>).</summary>
    public string Temp { get; }
}
