using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Amazon.Runtime;

namespace AssetServer.Storage.S3;

/// <summary>
/// Whether the object store is known to be down (a circuit breaker). A call that timed out or could not reach it
/// marks it down: for <see cref="CoolDown"/> every call fails at once (an upload answers 503 without waiting out a
/// timeout of its own, a cleanup delete is retried later, a shared-derivative look-up is a miss); after that one call
/// at a time tries the store, while the others still fail at once, and the first answer marks it up. So requests
/// during an outage cost nothing, and the server heals by itself within a cool-down of the store's return.
/// </summary>
public sealed class S3Outage
{
    /// <summary>How long every call fails at once after one timed out, before one may try again.</summary>
    public static readonly TimeSpan CoolDown = TimeSpan.FromSeconds(2);

    /// <summary>The <c>Retry-After</c> of the 503 (seconds).</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>0 while up; else when the cool-down ends (<see cref="Environment.TickCount64"/>).</summary>
    private long downUntil;

    /// <summary>1 while the one call allowed after the cool-down runs.</summary>
    private int trying;

    public bool IsDown => Volatile.Read(ref downUntil) != 0;

    public void Up() => Volatile.Write(ref downUntil, 0);

    /// <summary>
    /// Fails at once while the store is known to be down, but lets one call at a time try after the cool-down: true
    /// when this call is that one (<see cref="EndTrial"/> it however it ends).
    /// </summary>
    public bool Admit()
    {
        var until = Volatile.Read(ref downUntil);
        if (until == 0) return false;
        if (Environment.TickCount64 < until || Interlocked.CompareExchange(ref trying, 1, 0) != 0)
            throw new ObjectStoreUnavailableException("The object store did not answer a moment ago", RetryAfterSeconds);
        return true;
    }

    public void EndTrial(bool admitted)
    {
        if (admitted) Volatile.Write(ref trying, 0);
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

    private static bool IsNetworkFailure(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is HttpRequestException or SocketException or HttpIOException) return true;
        return false;
    }
}
