namespace AssetServer.Files;

public static class FilesApi
{
    public static void MapFiles(this WebApplication app)
    {
    }
}
