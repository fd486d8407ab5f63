using System.Text.RegularExpressions;
using AssetServer.Tests.Support;
using NUnit.Framework;

namespace AssetServer.Tests.Metrics;

/// <summary>
/// Issue 17: 5,000 anonymous requests with made-up methods grew <c>/metrics</c> from 215 KB to 13 MB, for good. Label
/// values now come from the methods the app routes, route templates and status classes only.
/// </summary>
public class MetricLabelsIssue17 : AdminAppFixture
{
    private static readonly string[] KnownMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "SEARCH"];
    private static readonly Regex Series = new(@"^(http_\w+)\{([^}]*)\} ", RegexOptions.Multiline);
    private static readonly Regex Label = new("(\\w+)=\"([^\"]*)\"");

    private readonly Random random = new(17);

    private string Word(int min, int max) =>
        new(Enumerable.Range(0, random.Next(min, max + 1)).Select(_ => (char)('A' + random.Next(26))).ToArray());

    /// <summary>
    /// <paramref name="count"/> anonymous requests, 16 at a time, each with a made-up method and a made-up path
    /// (some under a real route template); returns the made-up method names and path segments.
    /// </summary>
    private async Task<(HashSet<string> Methods, HashSet<string> Segments)> BurstAsync(int count)
    {
        var methods = new HashSet<string>();
        var segments = new HashSet<string>();
        var requests = new List<HttpRequestMessage>();
        for (var i = 0; i < count; i++)
        {
            string method;
            do method = Word(3, 12); while (KnownMethods.Contains(method));
            var segment = Word(10, 16).ToLowerInvariant();
            methods.Add(method);
            segments.Add(segment);
            var path = (i % 3) switch { 0 => "/" + segment, 1 => "/files/" + segment, _ => $"/{segment}/x/{Word(1, 4)}" };
            requests.Add(new HttpRequestMessage(new HttpMethod(method), path));
        }
        using var anonymous = app.AnonymousClient();
        using var gate = new SemaphoreSlim(16);
        await Task.WhenAll(requests.Select(async request =>
        {
            await gate.WaitAsync();
            try
            {
                using (request) using (await anonymous.SendAsync(request)) { }
            }
            finally
            {
                gate.Release();
            }
        }));
        return (methods, segments);
    }

    /// <summary>The http_* series of a scrape, each as its name and label text.</summary>
    private static HashSet<string> HttpSeries(string text) =>
        Series.Matches(text).Select(m => m.Groups[1].Value + "{" + m.Groups[2].Value + "}").ToHashSet();

    private static IEnumerable<string> LabelValues(IEnumerable<string> series, string label) =>
        series.SelectMany(s => Label.Matches(s).Where(m => m.Groups[1].Value == label).Select(m => m.Groups[2].Value)).Distinct();

    [Test]
    public async Task MadeUpMethodsAndPathsAddNoSeries()
    {
        await client.GetStringAsync("/metrics"); // the scrape's own series exist from here on
        var (methods, segments) = await BurstAsync(2000);
        var first = await client.GetStringAsync("/metrics");
        var series = HttpSeries(first);

        Assert.That(LabelValues(series, "method"), Is.SubsetOf(KnownMethods.Append("_OTHER")));
        Assert.That(LabelValues(series, "method"), Does.Contain("_OTHER"));
        Assert.That(LabelValues(series, "code"), Is.SubsetOf(new[] { "1xx", "2xx", "3xx", "4xx", "5xx" }));
        Assert.That(LabelValues(series, "endpoint"), Does.Contain("unmatched").And.Contain("/metrics"));
        Assert.That(LabelValues(series, "endpoint").Where(e => e != "unmatched"), Has.All.StartsWith("/"));
        Assert.That(methods.Where(m => first.Contains($"\"{m}\"", StringComparison.Ordinal)), Is.Empty, "no made-up method is a label");
        Assert.That(segments.Where(s => first.Contains(s, StringComparison.Ordinal)), Is.Empty, "no raw path is a label");

        await BurstAsync(2000);
        var second = await client.GetStringAsync("/metrics");
        Assert.That(HttpSeries(second), Is.EquivalentTo(series), "a second burst makes no new label set");
        // Only counts grow; the text stays the same size but for their digits.
        Assert.That(second.Length, Is.LessThan(first.Length + 2048));
    }

    [Test]
    public async Task MethodsAreLabelledAsTheyAreRouted()
    {
        using var lower = new HttpRequestMessage(new HttpMethod("get"), "/server/ping");
        using var answer = await client.SendAsync(lower);
        using var wrongMethod = await client.DeleteAsync("/server/ping");
        var series = HttpSeries(await client.GetStringAsync("/metrics"));
        Assert.That(series, Has.Some.EqualTo("http_requests_received_total{code=\"2xx\",method=\"GET\",endpoint=\"/server/ping\"}"), answer.StatusCode.ToString());
        Assert.That(LabelValues(series, "method"), Does.Not.Contain("get"));
        // Routing's 405 answer is no route: a known method on a path its route does not take counts as unmatched.
        Assert.That(series, Has.Some.EqualTo($"http_requests_received_total{{code=\"4xx\",method=\"DELETE\",endpoint=\"unmatched\"}}"),
            wrongMethod.StatusCode.ToString());
    }
}
