using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace AssetServer.Tests.Support;

/// <summary>What <see cref="PostgresFaultProxy"/> does to the connections through it.</summary>
public enum PostgresFault
{
    /// <summary>Forwards everything.</summary>
    None,

    /// <summary>Once: the next <c>COMMIT</c> never reaches the server; the connection drops (the server rolls back).</summary>
    DropCommit,

    /// <summary>Once: the next <c>COMMIT</c> reaches the server, which commits; its answer is lost with the connection.</summary>
    DropCommitAnswer,

    /// <summary>Every connection is closed as soon as it is accepted: the database is unreachable.</summary>
    Refuse,
}

/// <summary>
/// A TCP proxy in front of the suite's PostgreSQL that loses connections where a real network does its worst: just
/// before or just after the server receives <c>COMMIT</c>. Npgsql commits with a simple-protocol Query message
/// <c>'Q', length 11, "COMMIT\0"</c>; the server confirms with a CommandComplete carrying the tag <c>"COMMIT"</c>.
/// </summary>
public sealed class PostgresFaultProxy : IDisposable
{
    private static readonly byte[] CommitQuery = [(byte)'Q', 0, 0, 0, 11, .. "COMMIT\0"u8];
    private static readonly byte[] CommitComplete = [(byte)'C', 0, 0, 0, 11, .. "COMMIT\0"u8];

    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly NpgsqlConnectionStringBuilder target;
    private readonly CancellationTokenSource stop = new();
    private readonly TaskCompletionSource fired = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int fault;

    public PostgresFaultProxy(string connectionString)
    {
        target = new NpgsqlConnectionStringBuilder(connectionString);
        listener.Start();
        _ = AcceptAsync();
    }

    /// <summary><paramref name="connectionString"/> with its host and port replaced by the proxy's, without TLS (the proxy reads the stream).</summary>
    public string Through(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString)
    {
        Host = "127.0.0.1",
        Port = ((IPEndPoint)listener.LocalEndpoint).Port,
        SslMode = SslMode.Disable,
    }.ConnectionString;

    /// <summary>What the next connections, or the next commit, suffer from now on.</summary>
    public void Inject(PostgresFault next) => Volatile.Write(ref fault, (int)next);

    /// <summary>Completes when a one-shot commit fault has happened.</summary>
    public Task Fired => fired.Task;

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
            if ((PostgresFault)Volatile.Read(ref fault) == PostgresFault.Refuse)
            {
                client.Close();
                continue;
            }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var _ = client;
        using var server = new TcpClient();
        try
        {
            await server.ConnectAsync(target.Host!, target.Port, stop.Token);
            using var cut = new CancellationTokenSource();
            using var link = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, cut.Token);
            var awaitingCommitAnswer = false;
            var up = PumpAsync(client.GetStream(), server.GetStream(), chunk =>
            {
                if (chunk.AsSpan().IndexOf(CommitQuery) < 0) return true;
                if (Take(PostgresFault.DropCommit)) return false;
                if (Take(PostgresFault.DropCommitAnswer)) Volatile.Write(ref awaitingCommitAnswer, true);
                return true;
            }, link.Token);
            // Once the server's answer says COMMIT completed, the transaction is durable; the client never hears so.
            var down = PumpAsync(server.GetStream(), client.GetStream(), chunk =>
                !(Volatile.Read(ref awaitingCommitAnswer) && chunk.AsSpan().IndexOf(CommitComplete) >= 0), link.Token);
            await Task.WhenAny(up, down);
            await cut.CancelAsync();
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            // The proxy is shutting down.
        }
        catch (SocketException)
        {
            // The server went away: the client sees its connection close.
        }
    }

    /// <summary>Whether <paramref name="oneShot"/> was armed; disarms it and reports it fired.</summary>
    private bool Take(PostgresFault oneShot)
    {
        if (Interlocked.CompareExchange(ref fault, (int)PostgresFault.None, (int)oneShot) != (int)oneShot) return false;
        fired.TrySetResult();
        return true;
    }

    /// <summary>Copies chunks until either side ends or <paramref name="forward"/> says to drop the connection.</summary>
    private static async Task PumpAsync(NetworkStream from, NetworkStream to, Func<byte[], bool> forward, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, ct);
                if (read == 0) return;
                if (!forward(buffer[..read])) return;
                await to.WriteAsync(buffer.AsMemory(0, read), ct);
            }
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            // The other direction ended or the proxy stopped.
        }
        catch (IOException)
        {
            // A side closed: the relay ends.
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        stop.Dispose();
    }
}
