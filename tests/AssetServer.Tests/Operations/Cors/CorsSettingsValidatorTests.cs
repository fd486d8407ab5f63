using AssetServer.Cors;

namespace AssetServer.Tests.Cors;

public class CorsSettingsValidatorTests
{
    private static IEnumerable<string> Failures(CorsSettings settings) =>
        new CorsSettingsValidator().Validate(null, settings).Failures ?? [];

    [Test]
    public void TheDefaultsAreValid() => Assert.That(Failures(new CorsSettings()), Is.Empty);

    [Test]
    public void ListedOriginsWithCredentialsAreValid() =>
        Assert.That(Failures(new CorsSettings { Enabled = true, Origins = ["https://app.example", "http://localhost:3000"], Credentials = true }), Is.Empty);

    [Test]
    public void CredentialsWithAnyOriginFailTheStartNamingBothKeys() =>
        Assert.That(Failures(new CorsSettings { Enabled = true, Origins = ["*"], Credentials = true }),
            Has.One.Contains("Cors:Credentials").And.Contains("Cors:Origins *"));

    [Test]
    public void EnabledWithoutOriginsFailsTheStart() =>
        Assert.That(Failures(new CorsSettings { Enabled = true }), Has.One.Contains("Cors:Origins is empty"));

    [TestCase("https://app.example/")]
    [TestCase("https://app.example/admin")]
    [TestCase("app.example")]
    public void AnOriginNotAsABrowserSendsItFailsTheStart(string origin) =>
        Assert.That(Failures(new CorsSettings { Enabled = true, Origins = [origin] }), Has.One.Contains($"\"{origin}\""));

    [Test]
    public void TrueInsideAListFailsTheStart() =>
        Assert.That(Failures(new CorsSettings { Enabled = true, Origins = ["true", "https://app.example"] }), Has.One.Contains("stand alone"));

    [Test]
    public void ANegativeMaxAgeFailsTheStart() =>
        Assert.That(Failures(new CorsSettings { Enabled = true, Origins = ["true"], MaxAge = -1 }), Has.One.Contains("Cors:MaxAge"));
}
