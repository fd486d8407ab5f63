using AssetServer.Configuration;

namespace AssetServer.Tests.Configuration;

public class DurationsTests
{
    [TestCase("30d", 30 * 86400.0)]
    [TestCase("7.5s", 7.5)]
    [TestCase("500ms", 0.5)]
    [TestCase("2m", 120.0)]
    [TestCase("1h", 3600.0)]
    [TestCase("45", 45.0)]
    [TestCase("00:01:00", 60.0)]
    public void ParsesDirectusStyleDurations(string text, double seconds)
    {
        Assert.That(Durations.TryParse(text, out var value), Is.True);
        Assert.That(value.TotalSeconds, Is.EqualTo(seconds).Within(1e-9));
    }

    [TestCase("")]
    [TestCase("soon")]
    [TestCase("-5s")]
    [TestCase("NaNs")]
    public void RefusesWhatIsNotADuration(string text) => Assert.That(Durations.TryParse(text, out _), Is.False);
}
