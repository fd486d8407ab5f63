namespace AssetServer.Storage;

/// <summary>Called when a file's bytes are replaced or deleted: none of its derivatives may be served again.</summary>
public interface IDerivativeInvalidator
{
    Task InvalidateAsync(string fileId);
}
