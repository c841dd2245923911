using System.Globalization;
using AioGraphite.Extensions.Tests.Infrastructure;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Extensions.Tests.OpenTelemetry;

/// <summary>
/// The AspNetCoreOpenTelemetry sample as its own process, stopped with SIGTERM while carbon is up: the metrics of its
/// last export interval (exported by the meter provider as the host disposes it) land in carbon, and nothing is refused.
/// </summary>
public sealed class AspNetCoreSampleShutdownTests(SharedServers servers)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Sigterm_ExportsTheLastIntervalToCarbon_WithoutWarnings()
    {
        string prefix = SharedServers.UniquePrefix("shop_sigterm");
        int port = FreePorts.AllocateTcp();
        using var sample = SampleProcess.Start("AspNetCoreOpenTelemetry", new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Graphite__Port"] = servers.Carbon.LinePort.ToString(CultureInfo.InvariantCulture),
            ["Graphite__ExportInterval"] = "01:00:00", // only the final export, at shutdown, writes anything
            ["Graphite__NameMapper__Prefix"] = prefix,
            ["Logging__LogLevel__Default"] = "Warning",
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        CancellationToken ct = TestContext.Current.CancellationToken;
        await Poll.UntilAsync(() => IsListeningAsync(http), up => up, Timeout, "the sample listening", TimeSpan.FromMilliseconds(100));

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("Hello from AioGraphite!", await http.GetStringAsync("hello", ct));
        }

        foreach (int id in new[] { 2, 3, 4 })
        {
            (await http.GetAsync($"orders/{id}", ct)).EnsureSuccessStatusCode();
        }

        (int exitCode, string stdout, string stderr) = await sample.StopAsync();

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{stdout}\n{stderr}");
        Assert.DoesNotContain("refused", stdout, StringComparison.Ordinal);
        Assert.False(stdout.Contains("warn:", StringComparison.Ordinal) || stdout.Contains("fail:", StringComparison.Ordinal), $"the sample logged a warning:\n{stdout}\n{stderr}");
        string hello = prefix + ".http.server.request.duration.http_request_method.GET.http_response_status_code.200.http_route._hello.network_protocol_version.1_1.url_scheme.http";
        Assert.Equal([3.0], (await servers.Carbon.WaitForPointsAsync(hello + ".count", 1, Timeout)).Select(p => p.Value));
        Assert.Equal([2.0], (await servers.Carbon.WaitForPointsAsync(prefix + ".shop.orders.viewed.order_parity.even", 1, Timeout)).Select(p => p.Value));
        Assert.Equal([1.0], (await servers.Carbon.WaitForPointsAsync(prefix + ".shop.orders.viewed.order_parity.odd", 1, Timeout)).Select(p => p.Value));
    }

    private static async Task<bool> IsListeningAsync(HttpClient http)
    {
        try
        {
            using HttpResponseMessage response = await http.GetAsync("health", TestContext.Current.CancellationToken);
            return true;
        }
        catch (HttpRequestException)
        {
            return false; // the process is still starting
        }
    }
}
