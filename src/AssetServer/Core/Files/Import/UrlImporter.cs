using System.Net;
using System.Net.Sockets;
using AssetServer.Configuration;
using AssetServer.Errors;
using Microsoft.Extensions.Options;

namespace AssetServer.Files.Import;

/// <summary>
/// Fetches a URL for <c>POST /files/import</c> and stages it like an upload. The SSRF guard sits in the
/// connect step: the host is resolved, every address is checked, and the socket connects to a checked
/// address, so neither a redirect nor DNS rebinding reaches an internal target.
/// </summary>
public sealed class UrlImporter : IDisposable
{
    private readonly ImportOptions options;
    private readonly UploadReader uploads;
    private readonly HttpClient client;

    public UrlImporter(IOptions<ImportOptions> options, UploadReader uploads)
    {
        this.options = options.Value;
        this.uploads = uploads;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false, // followed by hand so each hop is checked and counted
            AutomaticDecompression = DecompressionMethods.None,
            ConnectCallback = ConnectAsync,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            UseProxy = false,
        };
        client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("AssetServer-Import/1.0");
    }

    public async Task<StagedUpload> FetchAsync(string url, FileInput fields, CancellationToken ct)
    {
        var timeout = Durations.Parse(options.Timeout, "Import:Timeout");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        var uri = ParseUrl(url);
        // Charged before the fetch: a client past its budget makes the server connect nowhere.
        uploads.ChargeUpload();
        try
        {
            for (var hop = 0; ; hop++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
                if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    if (hop >= options.MaxRedirects) throw Unavailable(url, $"more than {options.MaxRedirects} redirects");
                    uri = ParseUrl(new Uri(uri, location).ToString());
                    continue;
                }
                if (!response.IsSuccessStatusCode) throw Unavailable(url, $"the server answered {(int)response.StatusCode}");
                if (response.Content.Headers.ContentLength > options.MaxBytes) throw ApiErrors.ContentTooLarge(options.MaxBytes);

                await using var body = await response.Content.ReadAsStreamAsync(cts.Token);
                var name = FileNameOf(uri);
                var clientType = response.Content.Headers.ContentType?.MediaType;
                return await uploads.StageAsync(body, name, clientType, fields, options.MaxBytes, alreadyRead: 0, cts.Token, charged: true);
            }
        }
        catch (HttpRequestException e) when (e.InnerException is DeniedAddressException denied)
        {
            throw ApiErrors.InvalidPayload($"URL \"{Short(url)}\" is not allowed: {denied.Message}");
        }
        catch (HttpRequestException e)
        {
            throw Unavailable(url, e.HttpRequestError.ToString());
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw Unavailable(url, "it took longer than " + options.Timeout);
        }
    }

    private static Uri ParseUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw ApiErrors.InvalidPayload("\"url\" must be an absolute http or https URL");
        if (!string.IsNullOrEmpty(uri.UserInfo)) throw ApiErrors.InvalidPayload("\"url\" must not carry credentials");
        return uri;
    }

    /// <summary>Resolves, checks every address, then connects to a checked one.</summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, ct);
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
        if (!options.AllowPrivateNetworks && addresses.FirstOrDefault(a => !AddressGuard.IsPublic(a)) is { } denied)
            throw new DeniedAddressException($"\"{host}\" resolves to {denied}, a loopback, private, link-local or reserved address");

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The last path segment, as Directus names imports; the host when the path is empty.</summary>
    private static string FileNameOf(Uri uri)
    {
        var segment = Uri.UnescapeDataString(uri.AbsolutePath.TrimEnd('/').Split('/').LastOrDefault() ?? "");
        return string.IsNullOrWhiteSpace(segment) ? uri.Host : segment;
    }

    private static ApiException Unavailable(string url, string why) =>
        ApiErrors.ServiceUnavailable("external-file", $"Couldn't fetch file from URL \"{Short(url)}\": {why}");

    private static string Short(string url) => url.Length > 200 ? url[..200] + "…" : url;

    public void Dispose() => client.Dispose();

    private sealed class DeniedAddressException(string message) : Exception(message);
}
