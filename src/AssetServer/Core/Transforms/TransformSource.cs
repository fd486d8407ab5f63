namespace AssetServer.Transforms;

/// <summary>
/// What the parser needs to know of the source: its MIME type, display size (after EXIF orientation, null when
/// unknown), the focal point stored on the file record, and a video's duration in ms (where its default poster is).
/// </summary>
public sealed record TransformSource(string MimeType, int? Width, int? Height, int? FocalPointX, int? FocalPointY, int? Duration = null);
