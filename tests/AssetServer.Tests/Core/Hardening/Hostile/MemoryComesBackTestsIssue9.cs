using System.Net;
using System.Text;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Hardening.Hostile;

/// <summary>
/// Issue 9, item 2: after any spike, memory must come back. A burst of large JSON bodies (each within the 10 MB body
/// limit) grows the server's heap; once it is idle again its resident memory must fall back near where it started.
/// Measured through the server process's own counters (/proc VmRSS and VmHWM), polled with a bound, never timed.
/// </summary>
public class MemoryComesBackTestsIssue9
{
    [Test]
    public async Task AfterABurstTheIdleServerGivesItsMemoryBack_Issue9()
    {
        var data = Directory.CreateTempSubdirectory("memory-back-").FullName;
        try
        {
            await BurstThenIdleAsync(data);
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // The OS cleans the temp folder.
            }
        }
    }

    private static async Task BurstThenIdleAsync(string data)
    {
        using var server = await ServerProcess.StartAsync(data);
        using var admin = server.AdminClient();
        Assert.That((await admin.GetAsync("/files")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await Task.Delay(500);
        var baseline = server.ResidentBytes;

        // Twelve SEARCH bodies of 8 MB at once: read, parsed, refused (400) — a heap spike of some hundreds of MB.
        var junk = new string('x', 8 << 20);
        var body = "{\"query\":{\"no_such_field\":\"" + junk + "\"}}";
        var burst = Enumerable.Range(0, 12).Select(async _ =>
        {
            using var request = new HttpRequestMessage(new HttpMethod("SEARCH"), "/files")
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            using var response = await admin.SendAsync(request);
            return response.StatusCode;
        });
        Assert.That(await Task.WhenAll(burst), Has.All.EqualTo(HttpStatusCode.BadRequest));
        var peak = server.PeakResidentBytes;
        Assume.That(peak - baseline, Is.GreaterThan(150L << 20), "the burst must have grown the server for this test to mean anything");

        // What stays is bounded and short-lived (pooled buffers age out of ArrayPool after a minute); the heap the
        // burst grew must be given back: at least a third of the growth, once the server is idle.
        var bound = peak - (peak - baseline) / 3;
        long resident = 0;
        for (var i = 0; i < 100; i++)
        {
            resident = server.ResidentBytes;
            if (resident < bound) break;
            await Task.Delay(200);
        }
        Assert.That(resident, Is.LessThan(bound),
            $"resident {resident >> 20} MB after the burst (baseline {baseline >> 20} MB, peak {peak >> 20} MB)");
    }
}
