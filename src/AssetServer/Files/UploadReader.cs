namespace AssetServer.Files;

public sealed class UploadReader;
