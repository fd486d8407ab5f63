namespace AssetServer.Metadata;

/// <summary>Directus's title from a file name (placeholder until the Metadata module lands).</summary>
public static class TitleFormatter
{
    public static string FromFileName(string fileName) => Path.GetFileNameWithoutExtension(fileName);
}
