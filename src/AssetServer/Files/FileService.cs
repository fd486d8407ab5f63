namespace AssetServer.Files;

public sealed class FileService;
