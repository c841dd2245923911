using System.Globalization;
using System.Net;
using System.Text.Json;
using AioGraphite.Extensions.Tests.Infrastructure;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Extensions.Tests.OpenTelemetry;

/// <summary>
/// The AspNetCoreOpenTelemetry sample as its own process: its <c>/health</c> endpoint follows a real carbon-cache that
/// is killed and started again (Healthy while points flow, Degraded while reconnecting, Unhealthy past the threshold,
/// Healthy after the reconnect).
/// </summary>
public sealed class AspNetCoreSampleHealthTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Health_FollowsCarbonGoingDownAndComingBack()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        int port = FreePorts.AllocateTcp();
        using var sample = SampleProcess.Start("AspNetCoreOpenTelemetry", new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Graphite__Port"] = carbon.LinePort.ToString(CultureInfo.InvariantCulture),
            ["Graphite__ExportInterval"] = "00:00:00.500",
            ["Graphite__ReconnectMaxDelay"] = "00:00:00.500",
            ["Graphite__Health__UnreachableThreshold"] = "00:00:03",
            ["Logging__LogLevel__Default"] = "Warning",
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        Health flowing = await HealthAsync(http, h => h.Status == "Healthy" && h.Long("pointsDelivered") > 0, "Healthy with points delivered");
        Assert.Equal(HttpStatusCode.OK, flowing.Code);
        Assert.True(flowing.Bool($"127.0.0.1:{carbon.LinePort}.connected"));

        await carbon.KillAsync();
        Health reconnecting = await HealthAsync(http, h => h.Status == "Degraded", "Degraded after carbon was killed");
        Assert.Equal(HttpStatusCode.OK, reconnecting.Code);
        Assert.StartsWith("Reconnecting to carbon", reconnecting.Description, StringComparison.Ordinal);

        Health unreachable = await HealthAsync(http, h => h.Status == "Unhealthy", "Unhealthy past the 3 s threshold");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unreachable.Code);
        Assert.Contains("unreachable", unreachable.Description, StringComparison.Ordinal);

        await carbon.StartAgainAsync();
        Health back = await HealthAsync(http, h => h.Status == "Healthy", "Healthy after carbon came back");
        Assert.Equal(HttpStatusCode.OK, back.Code);
        Assert.True(back.Long("reconnects") >= 1);

        (int exitCode, string stdout, string stderr) = await sample.StopAsync();
        Assert.True(exitCode == 0, $"exit code {exitCode}\n{stdout}\n{stderr}");
    }

    private static Task<Health> HealthAsync(HttpClient http, Func<Health, bool> done, string what) =>
        Poll.UntilAsync(() => ReadAsync(http), done, Timeout, what, TimeSpan.FromMilliseconds(100));

    private static async Task<Health> ReadAsync(HttpClient http)
    {
        try
        {
            using HttpResponseMessage response = await http.GetAsync("health", TestContext.Current.CancellationToken);
            string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            using JsonDocument json = JsonDocument.Parse(body);
            JsonElement check = json.RootElement.GetProperty("checks").GetProperty("graphite");
            return new Health(response.StatusCode, check.GetProperty("status").GetString()!, check.GetProperty("description").GetString()!, check.GetProperty("data").Clone());
        }
        catch (HttpRequestException ex)
        {
            return new Health(0, "not listening yet", ex.Message, default); // the process is still starting
        }
    }

    private sealed record Health(HttpStatusCode Code, string Status, string Description, JsonElement Data)
    {
        public long Long(string key) => Data.GetProperty(key).GetInt64();

        public bool Bool(string key) => Data.GetProperty(key).GetBoolean();

        public override string ToString() => $"{(int)Code} {Status}: {Description}";
    }
}
