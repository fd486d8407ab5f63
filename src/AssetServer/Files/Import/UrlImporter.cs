namespace AssetServer.Files.Import;

public sealed class UrlImporter;
