using AioGraphite.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace AioGraphite.Extensions.Tests.Hosting;

public sealed class AddGraphiteValidationTests
{
    [Theory]
    [InlineData("""{ "Port": 2003 }""", "Graphite:Host is required")]
    [InlineData("""{ "Host": "  " }""", "Graphite:Host is required")]
    [InlineData("""{ "Host": "carbon host" }""", "Graphite:Host 'carbon host' contains whitespace")]
    [InlineData("""{ "Host": "127.0.0.1", "Port": 70000 }""", "Graphite:Port 70000 is out of range")]
    [InlineData("""{ "Host": "127.0.0.1", "Port": 0 }""", "Graphite:Port 0 is out of range")]
    [InlineData("""{ "Host": "127.0.0.1", "Protocol": "json" }""", "Graphite:Protocol 'json' is not supported")]
    [InlineData("""{ "Host": "127.0.0.1", "Protocol": "pickle", "Transport": "Udp" }""", "Graphite:Protocol 'pickle' cannot be used with Graphite:Transport 'Udp'")]
    [InlineData("""{ "Host": "127.0.0.1", "ConnectTimeout": "00:00:00" }""", "Graphite:ConnectTimeout is invalid")]
    [InlineData("""{ "Host": "127.0.0.1", "BatchSizeBytes": 100 }""", "Graphite:BatchSizeBytes is invalid")]
    [InlineData("""{ "Host": "127.0.0.1", "BufferCapacityBytes": 1000 }""", "Graphite:BufferCapacityBytes is invalid")]
    [InlineData("""{ "Host": "127.0.0.1", "ReconnectMaxDelay": "00:00:00.010" }""", "Graphite:ReconnectMaxDelay is invalid")]
    [InlineData("""{ "Host": "127.0.0.1", "DrainTimeout": "-00:00:01" }""", "Graphite:DrainTimeout is invalid")]
    [InlineData("""{ "Host": "127.0.0.1", "MetricPrefix": "my app" }""", "Graphite:MetricPrefix is invalid")]
    [InlineData("""{ "Host": "127.0.0.1", "DefaultTags": { "dc!": "eu" } }""", "Graphite:DefaultTags is invalid")]
    public async Task StartAsync_WithABadSetting_FailsWithAMessageNamingTheKey(string section, string expected)
    {
        using IHost host = TestHosts.WithGraphite(section).Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_WithSeveralBadSettings_ReportsEachKey()
    {
        using IHost host = TestHosts.WithGraphite("""{ "Port": -1, "Protocol": "xml" }""").Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains("Graphite:Host", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Graphite:Port", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Graphite:Protocol", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ConfiguredInCode_NamesTheProperty()
    {
        var builder = TestHosts.Builder("{}");
        builder.Services.AddGraphite(o =>
        {
            o.Host = "127.0.0.1";
            o.Port = 99999;
        });
        using IHost host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains("GraphiteOptions.Port 99999 is out of range", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_SectionWithANestedPath_NamesTheFullKey()
    {
        var builder = TestHosts.Builder("""{ "Telemetry": { "Carbon": { "Host": "127.0.0.1", "Protocol": "udp" } } }""");
        builder.Services.AddGraphite(builder.Configuration.GetSection("Telemetry:Carbon"));
        using IHost host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains("Telemetry:Carbon:Protocol 'udp'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_StartsAndStopsWhileCarbonIsDown()
    {
        int closedPort = FreePorts.AllocateTcp(); // nothing listens there
        IHost host = TestHosts.WithGraphite($$"""{ "Host": "127.0.0.1", "Port": {{closedPort}}, "DrainTimeout": "00:00:00.200" }""").Build();

        var started = System.Diagnostics.Stopwatch.StartNew();
        await host.StartAsync(TestContext.Current.CancellationToken);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(3), $"start took {started.Elapsed}");

        GraphiteClient client = host.Services.GetRequiredService<GraphiteClient>();
        Assert.True(client.TrySend("down.metric", 1));
        await client.SendAsync("down.metric", 2, cancellationToken: TestContext.Current.CancellationToken);

        await host.StopAsync(TestContext.Current.CancellationToken);
        await TestHosts.DisposeAsync(host); // closes the client: it gives up after its 200 ms drain timeout
        GraphiteClientStatistics stats = client.Statistics;
        Assert.Equal(2, stats.PointsUndelivered);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.FlushAsync(TestContext.Current.CancellationToken));
    }
}
