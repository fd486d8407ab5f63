using System.Diagnostics;
using System.Net;

namespace AssetServer.Tests.Support;

/// <summary>
/// Debian's nginx on a loopback port in front of several nodes, round robin, as a load balancer in production would be:
/// bodies streamed through (no request buffering), keep-alive to the nodes, no size limit.
/// </summary>
public sealed class NginxBalancer : IDisposable
{
    private readonly Process process;
    private readonly string folder;

    private NginxBalancer(Process process, string folder, Uri baseAddress)
    {
        this.process = process;
        this.folder = folder;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<NginxBalancer> StartAsync(params Uri[] nodes)
    {
        var nginx = Engines.Nginx;
        var folder = Path.Combine(Path.GetTempPath(), "assetserver-nginx", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(folder, "logs"));
        var port = ServerProcess.FreePort();
        var servers = string.Concat(nodes.Select(n => $"    server {n.Host}:{n.Port} max_fails=0;\n"));
        // As root, nginx's workers would switch to "nobody", who cannot write in the temp folder.
        var user = Environment.UserName == "root" ? "user root;\n" : "";
        File.WriteAllText(Path.Combine(folder, "nginx.conf"), $$"""
            {{user}}worker_processes 1;
            daemon off;
            pid {{folder}}/nginx.pid;
            error_log {{folder}}/logs/error.log warn;
            events { worker_connections 1024; }
            http {
              access_log off;
              client_body_temp_path {{folder}}/body;
              proxy_temp_path {{folder}}/proxy;
              fastcgi_temp_path {{folder}}/fastcgi;
              uwsgi_temp_path {{folder}}/uwsgi;
              scgi_temp_path {{folder}}/scgi;
              upstream nodes {
            {{servers}}    keepalive 32;
              }
              server {
                listen 127.0.0.1:{{port}};
                client_max_body_size 0;
                proxy_request_buffering off;
                proxy_buffering off;
                location / {
                  proxy_pass http://nodes;
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                  proxy_set_header Host $http_host;
                  proxy_read_timeout 300s;
                  proxy_next_upstream off;
                }
              }
            }
            """);
        var start = new ProcessStartInfo(nginx)
        {
            ArgumentList = { "-p", folder, "-c", Path.Combine(folder, "nginx.conf") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start)!;
        // SIGTERM to the master stops its workers too (nginx's fast shutdown).
        Engines.StopWithTestHost(process.Id);
        var balancer = new NginxBalancer(process, folder, new Uri($"http://127.0.0.1:{port}"));
        using var probe = new HttpClient { BaseAddress = balancer.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"nginx exited: {await process.StandardError.ReadToEndAsync()}");
            try
            {
                if ((await probe.GetAsync("/server/ping")).StatusCode == HttpStatusCode.OK) return balancer;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }
            await Task.Delay(100);
        }
        balancer.Dispose();
        throw new TimeoutException("nginx did not answer within 10 s");
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit(10000);
        process.Dispose();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // nginx still closing a temp file; the OS cleans the temp folder
        }
    }
}
