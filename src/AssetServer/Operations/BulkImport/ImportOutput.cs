using System.Collections.Concurrent;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace AssetServer.BulkImport;

/// <summary>What became of one file, as the output names it.</summary>
public enum FileOutcome
{
    Uploaded,
    Skipped,
    Failed,
    /// <summary>A dry run's "would upload".</summary>
    WouldUpload,
}

/// <summary>The counters one phase (hashing, uploading) moves from any thread; the display reads them.</summary>
public sealed class PhaseProgress(string name, int filesTotal, long bytesTotal)
{
    private long bytes;
    private int files;

    public string Name { get; } = name;
    public int FilesTotal { get; } = filesTotal;
    public long BytesTotal { get; } = bytesTotal;
    public long Bytes => Interlocked.Read(ref bytes);
    public int Files => Volatile.Read(ref files);

    /// <summary>Bytes read or sent; negative to take back an attempt that will be sent again.</summary>
    public void AddBytes(long count) => Interlocked.Add(ref bytes, count);

    public void FileDone() => Interlocked.Increment(ref files);
}

/// <summary>
/// Where the import reports: a live progress bar on a terminal, plain lines when the output is a file or a pipe
/// (CI logs, scripts), where a bar would be noise.
/// </summary>
public interface IImportOutput
{
    /// <summary>Runs one phase's work while its progress is shown.</summary>
    Task WithProgressAsync(PhaseProgress phase, Func<Task> work);

    /// <summary>One file's outcome: <paramref name="detail"/> follows the path (" (already stored)", ": 415 …").</summary>
    void File(FileOutcome outcome, string path, string detail);

    /// <summary>A line for the person reading: what was found, the summary.</summary>
    void Note(string text);

    public static IImportOutput ForConsole(bool dryRun) =>
        AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Ansi
            ? new LiveImportOutput(AnsiConsole.Console, listEveryFile: dryRun)
            : new PlainImportOutput(Console.Out);

    public static string Verb(FileOutcome outcome) => outcome switch
    {
        FileOutcome.Uploaded => "uploaded",
        FileOutcome.Skipped => "skipped",
        FileOutcome.Failed => "failed",
        _ => "would upload",
    };

    /// <summary>"1 file", "2 files".</summary>
    public static string Files(int count) => count == 1 ? "1 file" : $"{count} files";

    /// <summary>Bytes in binary units, one decimal: 12.3 KiB.</summary>
    public static string Size(long bytes)
    {
        string[] units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} bytes" : value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}

/// <summary>Every file on its own line, as it finishes: readable in a log and easy for a script to grep.</summary>
public sealed class PlainImportOutput(TextWriter writer) : IImportOutput
{
    private readonly Lock gate = new();

    public async Task WithProgressAsync(PhaseProgress phase, Func<Task> work)
    {
        Note($"{phase.Name.ToLowerInvariant()} {IImportOutput.Files(phase.FilesTotal)} ({IImportOutput.Size(phase.BytesTotal)})");
        await work();
    }

    public void File(FileOutcome outcome, string path, string detail) => Note($"{IImportOutput.Verb(outcome)} {path}{detail}");

    public void Note(string text)
    {
        lock (gate) writer.WriteLine(text);
    }
}

/// <summary>
/// Spectre.Console's progress bar with files/s, bytes/s and the time left. Failures are printed above the bar as they
/// happen; uploaded and skipped files only in a dry run, whose listing is its point.
/// </summary>
public sealed class LiveImportOutput(IAnsiConsole console, bool listEveryFile) : IImportOutput
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(100);

    /// <summary>Lines written while the bar is live wait here, so one thread alone talks to the console.</summary>
    private readonly ConcurrentQueue<string> waiting = new();

    private volatile bool live;

    public async Task WithProgressAsync(PhaseProgress phase, Func<Task> work)
    {
        var progress = console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .ExcludeVerticalPadding()
            .Columns(
                new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new FileRateColumn(),
                new TransferSpeedColumn(), new RemainingTimeColumn(), new SpinnerColumn());
        await progress.StartAsync(async context =>
        {
            var task = context.AddTask(phase.Name, maxValue: Math.Max(1, phase.BytesTotal));
            task.Tag = phase;
            live = true;
            var running = work();
            try
            {
                while (!running.IsCompleted)
                {
                    Show(task, phase);
                    await Task.WhenAny(running, Task.Delay(Refresh));
                }
            }
            finally
            {
                live = false;
                Show(task, phase);
                task.StopTask();
            }
            await running;
        });
    }

    public void File(FileOutcome outcome, string path, string detail)
    {
        if (outcome is FileOutcome.Uploaded or FileOutcome.Skipped && !listEveryFile) return;
        var colour = outcome switch { FileOutcome.Failed => "red", FileOutcome.Skipped => "grey", _ => "green" };
        Write($"[{colour}]{IImportOutput.Verb(outcome)}[/] {Markup.Escape(path)}{Markup.Escape(detail)}");
    }

    public void Note(string text) => Write(Markup.Escape(text));

    private void Write(string markup)
    {
        if (live) waiting.Enqueue(markup);
        else console.MarkupLine(markup);
    }

    private void Show(ProgressTask task, PhaseProgress phase)
    {
        while (waiting.TryDequeue(out var line)) console.MarkupLine(line);
        task.Value = phase.BytesTotal == 0 ? (phase.Files == phase.FilesTotal ? task.MaxValue : 0) : Math.Min(phase.Bytes, task.MaxValue);
    }

    /// <summary>"12/40 files 3.2/s": the count and the rate of whole files, beside the bytes that the bar shows.</summary>
    private sealed class FileRateColumn : ProgressColumn
    {
        protected override bool NoWrap => true;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            if (task.Tag is not PhaseProgress phase) return Text.Empty;
            var seconds = task.ElapsedTime?.TotalSeconds ?? 0;
            var rate = seconds > 0 ? (phase.Files / seconds).ToString("0.0", CultureInfo.InvariantCulture) : "-";
            return new Text($"{phase.Files}/{phase.FilesTotal} files {rate}/s");
        }
    }
}
