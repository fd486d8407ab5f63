using System.Net;
using System.Net.Sockets;

namespace AssetServer.Tests.Support;

/// <summary>
/// A loopback TCP proxy to one upstream whose client-to-upstream direction can be slowed to
/// <see cref="BytesPerTick"/> every 50 ms: a slow link to an object store, so a put stays in flight for seconds.
/// </summary>
public sealed class SlowTcpProxy : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Uri upstream;

    public SlowTcpProxy(Uri upstream)
    {
        this.upstream = upstream;
        listener.Start();
        _ = AcceptAsync();
    }

    /// <summary>The proxy's URL, with the upstream's scheme.</summary>
    public string Address => $"{upstream.Scheme}://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

    /// <summary>Bytes passed upstream per 50 ms; 0 (the default) for no limit. Changes apply at once.</summary>
    public volatile int BytesPerTick;

    private async Task AcceptAsync()
    {
        try
        {
            while (true) _ = ServeAsync(await listener.AcceptTcpClientAsync(stop.Token));
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // stopped
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(upstream.Host, upstream.Port, stop.Token);
                await Task.WhenAny(PumpAsync(client.GetStream(), server.GetStream(), slowed: true),
                    PumpAsync(server.GetStream(), client.GetStream(), slowed: false));
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
            {
                // either side closed
            }
        }
    }

    private async Task PumpAsync(Stream from, Stream to, bool slowed)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var limit = slowed ? BytesPerTick : 0;
                var read = await from.ReadAsync(buffer.AsMemory(0, limit > 0 ? Math.Min(limit, buffer.Length) : buffer.Length), stop.Token);
                if (read == 0) return;
                await to.WriteAsync(buffer.AsMemory(0, read), stop.Token);
                if (limit > 0) await Task.Delay(50, stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // either side closed
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        stop.Dispose();
    }
}
