using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Amazon.Runtime;

namespace AssetServer.Storage.S3;

/// <summary>
/// Whether the object store is known to be down. A call that timed out or could not reach it marks it down for
/// <see cref="CoolDown"/>: meanwhile calls fail at once (an upload answers 503 without waiting out its own timeout,
/// a cleanup delete is retried later, a shared-derivative look-up is a miss); the first call after that tries again,
/// and any answer from the store marks it up. So the server heals by itself, one timeout after the store returns at
/// the latest.
/// </summary>
public sealed class S3Outage
{
    /// <summary>How long calls fail fast after a timeout; also the <c>Retry-After</c> of the 503.</summary>
    public static readonly TimeSpan CoolDown = TimeSpan.FromSeconds(5);

    private long downUntil;

    public bool IsDown => Environment.TickCount64 < Volatile.Read(ref downUntil);

    public void Up() => Volatile.Write(ref downUntil, 0);

    /// <summary>Fails at once while the store is known to be down.</summary>
    public void ThrowIfDown()
    {
        if (IsDown) throw new ObjectStoreUnavailableException("The object store did not answer a moment ago", RetryAfterSeconds);
    }

    /// <summary>
    /// When <paramref name="e"/> means the store is unreachable or silent (not the caller giving up, not a refusal
    /// such as 403), marks it down and returns the exception to throw instead; else null.
    /// </summary>
    public ObjectStoreUnavailableException? Classify(Exception e, CancellationToken caller, string call, TimeSpan limit)
    {
        if (e is ObjectStoreUnavailableException known) return known;
        var reason = e switch
        {
            OperationCanceledException when !caller.IsCancellationRequested => $"The object store gave no answer to {call} within {limit.TotalSeconds:0.###}s",
            // After the SDK's retries; 501 is a refusal (an unsupported call), not an outage.
            AmazonServiceException { StatusCode: HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
                or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout } failed => $"The object store failed {call} with {(int)failed.StatusCode}",
            _ when IsNetworkFailure(e) => $"The object store could not be reached for {call}",
            _ => null,
        };
        if (reason is null) return null;
        Volatile.Write(ref downUntil, Environment.TickCount64 + (long)CoolDown.TotalMilliseconds);
        return new ObjectStoreUnavailableException(reason, RetryAfterSeconds, e);
    }

    private static int RetryAfterSeconds => (int)CoolDown.TotalSeconds;

    private static bool IsNetworkFailure(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is HttpRequestException or SocketException or HttpIOException) return true;
        return false;
    }
}
