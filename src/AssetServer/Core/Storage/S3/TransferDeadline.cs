namespace AssetServer.Storage.S3;

/// <summary>
/// A deadline that moves on with progress: a transfer is cancelled when it goes <c>idle</c> without a byte sent or
/// received (or its answer), not when it is merely long. A 5 GB upload on a slow link runs as long as it needs; a
/// store that stopped answering is noticed after one idle period.
/// </summary>
public sealed class TransferDeadline : IDisposable
{
    private readonly CancellationTokenSource source;
    private readonly TimeSpan idle;

    public TransferDeadline(TimeSpan idle, CancellationToken caller)
    {
        this.idle = idle;
        source = CancellationTokenSource.CreateLinkedTokenSource(caller);
        source.CancelAfter(idle);
    }

    public CancellationToken Token => source.Token;

    /// <summary>Bytes moved: the idle period starts again.</summary>
    public void Progressed()
    {
        try
        {
            source.CancelAfter(idle);
        }
        catch (ObjectDisposedException)
        {
            // A progress event after the call ended.
        }
    }

    public void Dispose() => source.Dispose();
}
