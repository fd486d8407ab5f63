using AssetServer.Metadata;

namespace AssetServer.Tests.Metadata;

public class TitleFormatterTests
{
    /// <summary>DIRECTUS-BEHAVIOUR.md §1b, measured on Directus 12.4.0, plus the special-word rules.</summary>
    private static readonly TestCaseData[] DirectusTitles =
    [
        new("paulo-silva-vSRgXtQuns8-unsplash.jpg", "Paulo Silva V S Rg Xt Quns8 Unsplash"),
        new("IMG_2041.JPG", "Img 2041"),
        new("my_file name.v2.png", "My File Name.v2"),
        new("DSC_0001.jpeg", "Dsc 0001"),
        new("helloWorld-foo_bar baz.jpg", "Hello World Foo Bar Baz"),
        new("the_lord-of.the rings.jpg", "The Lord Of.the Rings"),
        new("über café 2024.jpg", "Über Café 2024"),
        new("api json pdf faq.jpg", "API JSON PDF FAQ"),
        new(".hidden.jpg", ".hidden"),
        new("noext", "Noext"),
        new("photo_exif.jpg.jpg", "Photo Exif.jpg"),
        new("my iphone and github photos.png", "My iPhone and GitHub Photos"),
        new("a-tale-of-two-cities.txt", "A Tale of Two Cities"),
        new("what-to-look-for.md", "What to Look For"),
        new("user_id-url_in_html.csv", "User ID URL in HTML"),
        new("ABCDef.png", "Abc Def"),
        new("macos youtube linkedin.jpg", "macOS YouTube LinkedIn"),
    ];

    [TestCaseSource(nameof(DirectusTitles))]
    public void TitleMatchesDirectus(string fileName, string title) =>
        Assert.That(TitleFormatter.FromFileName(fileName), Is.EqualTo(title));
}
