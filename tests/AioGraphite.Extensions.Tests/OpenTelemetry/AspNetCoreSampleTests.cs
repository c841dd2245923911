using AioGraphite.Extensions.Tests.Infrastructure;
using AioGraphite.TestUtilities;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using Xunit;

namespace AioGraphite.Extensions.Tests.OpenTelemetry;

/// <summary>The AspNetCoreOpenTelemetry sample, as is, serving requests whose metrics land in a real carbon-cache.</summary>
public sealed class AspNetCoreSampleTests(SharedServers servers)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task RequestMetrics_LandInCarbonUnderTheDocumentedPaths()
    {
        string prefix = SharedServers.UniquePrefix("shop");
        await using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web.ConfigureAppConfiguration((_, config) =>
            config.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Graphite:Host"] = "127.0.0.1",
                ["Graphite:Port"] = servers.Carbon.LinePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Graphite:ExportInterval"] = "01:00:00", // the test decides when to export (ForceFlush)
                ["Graphite:NameMapper:Prefix"] = prefix,
                ["Logging:LogLevel:Default"] = "Warning",
            })));
        using HttpClient http = app.CreateClient();
        CancellationToken ct = TestContext.Current.CancellationToken;

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("Hello from AioGraphite!", await http.GetStringAsync("/hello", ct));
        }

        foreach (int id in new[] { 2, 3, 4 })
        {
            (await http.GetAsync($"/orders/{id}", ct)).EnsureSuccessStatusCode();
        }

        MeterProvider meters = app.Services.GetRequiredService<MeterProvider>();
        string duration = prefix + ".http.server.request.duration.http_request_method.GET.http_response_status_code.200.http_route._hello.network_protocol_version.1_1.url_scheme.http";
        await LastValueAsync(meters, duration + ".count", 3);
        await LastValueAsync(meters, duration + ".bucket.le_inf", 3);
        await LastValueAsync(meters, prefix + ".http.server.request.duration.http_request_method.GET.http_response_status_code.200.http_route._orders__id_int_.network_protocol_version.1_1.url_scheme.http.count", 3);
        await LastValueAsync(meters, prefix + ".shop.orders.viewed.order_parity.even", 2);
        await LastValueAsync(meters, prefix + ".shop.orders.viewed.order_parity.odd", 1);
    }

    /// <summary>
    /// Exports (the request metric is recorded just after the response is sent, so it may take a second try) until
    /// carbon's newest point for <paramref name="metric"/> is <paramref name="expected"/>.
    /// </summary>
    private async Task LastValueAsync(MeterProvider meters, string metric, double expected)
    {
        await Poll.UntilAsync(
            async () =>
            {
                meters.ForceFlush();
                await Task.Delay(200);
                var points = await servers.Carbon.ReadPointsAsync(metric);
                return points.Count == 0 ? (double?)null : points[^1].Value;
            },
            last => last == expected,
            Timeout,
            $"{metric} = {expected} in carbon (stored: {string.Join(", ", Directory.Exists(servers.Carbon.WhisperDirectory) ? Directory.EnumerateFiles(servers.Carbon.WhisperDirectory, "*.wsp", SearchOption.AllDirectories).Where(f => f.Contains("request", StringComparison.Ordinal)).Take(5) : [])})");
    }
}
