using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace AssetServer.Rendering.Media;

/// <summary>What an engine process left: its exit code, its standard output (bounded) and the end of its standard error.</summary>
public sealed record ProcessResult(int ExitCode, byte[] Output, string Errors);

/// <summary>
/// Runs an engine on an upload, which is hostile input: an argument list (never a shell string), standard input
/// closed, no network (<c>unshare --net</c> where the machine allows it), CPU and memory capped (<c>prlimit</c>),
/// output capped, and killed with its whole process tree, then reaped, when the token is cancelled or the output
/// grows past its cap. <c>unshare</c> and <c>prlimit</c> exec the engine, so the tree is one process.
/// </summary>
public sealed class SandboxedProcess(MediaEngines engines, IOptions<MediaOptions> options)
{
    private const int ErrorTail = 4096;

    /// <summary>
    /// Runs <paramref name="tool"/> with <paramref name="arguments"/>. Throws <see cref="OperationCanceledException"/>
    /// when <paramref name="ct"/> ends it and <see cref="IOException"/> when it writes more than <paramref name="maxOutput"/> bytes.
    /// </summary>
    public async Task<ProcessResult> RunAsync(string tool, IReadOnlyList<string> arguments, int maxOutput, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var start = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in Wrap(tool, arguments)) start.ArgumentList.Add(argument);
        start.FileName = start.ArgumentList[0];
        start.ArgumentList.RemoveAt(0);
        // Engines need no configuration from the server's environment (and must not see its secrets).
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/bin:/bin";

        using var process = Process.Start(start) ?? throw new IOException($"{tool} did not start");
        process.StandardInput.Close();
        var killed = false;
        void Kill()
        {
            killed = true;
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited already.
            }
        }

        await using var onCancel = ct.Register(Kill);
        var errors = ReadTailAsync(process.StandardError.BaseStream);
        byte[] output;
        try
        {
            output = await ReadBoundedAsync(process.StandardOutput.BaseStream, maxOutput, Kill);
        }
        finally
        {
            // Reaped in every case: no zombie outlives the call.
            await process.WaitForExitAsync(CancellationToken.None);
        }
        var tail = await errors;
        ct.ThrowIfCancellationRequested();
        if (killed) throw new IOException($"{Path.GetFileName(tool)} wrote more than {maxOutput} bytes");
        return new ProcessResult(process.ExitCode, output, tail);
    }

    private IEnumerable<string> Wrap(string tool, IReadOnlyList<string> arguments)
    {
        if (engines.NoNetwork) yield return engines.Unshare!;
        if (engines.NoNetwork)
        {
            yield return "--net";
            yield return "--map-root-user";
            yield return "--";
        }
        if (engines.Prlimit is { } prlimit)
        {
            var limits = options.Value;
            yield return prlimit;
            yield return $"--as={(long)limits.MemoryLimitMb << 20}";
            yield return $"--cpu={limits.CpuLimitSeconds}";
            yield return "--core=0";
            yield return "--";
        }
        yield return tool;
        foreach (var argument in arguments) yield return argument;
    }

    private static async Task<byte[]> ReadBoundedAsync(Stream stream, int max, Action kill)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await stream.ReadAsync(chunk)) > 0)
        {
            if (buffer.Length + read > max)
            {
                kill();
                // Drain so the process can exit; what follows is discarded.
                while (await stream.ReadAsync(chunk) > 0)
                {
                }
                break;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static async Task<string> ReadTailAsync(Stream stream)
    {
        var tail = new Queue<byte>();
        var chunk = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(chunk)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                tail.Enqueue(chunk[i]);
                if (tail.Count > ErrorTail) tail.Dequeue();
            }
        }
        return System.Text.Encoding.UTF8.GetString(tail.ToArray());
    }
}
