using System.Diagnostics.Metrics;
using AioGraphite.TestUtilities;
using AioGraphite.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Xunit;

namespace AioGraphite.Extensions.Tests.OpenTelemetry;

/// <summary>What the exporter writes, checked line by line on a loopback listener.</summary>
public sealed class GraphiteMetricExporterTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly LoopbackSink carbon = LoopbackSink.Start();
    private readonly string meterName = "test.meter." + Guid.NewGuid().ToString("N");

    public ValueTask InitializeAsync() => default;

    public ValueTask DisposeAsync() => carbon.DisposeAsync();

    [Fact]
    public async Task Cumulative_WritesSumsGaugesAndHistogramsUnderMappedNames()
    {
        using var meter = new Meter(meterName);
        using MeterProvider provider = Provider(o => o.NameMapper = new GraphiteMetricNameMapper { Prefix = "otel" });
        var requests = meter.CreateCounter<long>("app.requests");
        var bytes = meter.CreateCounter<double>("app.bytes");
        var queue = meter.CreateUpDownCounter<int>("app.queue.length");
        var temperature = meter.CreateGauge<double>("app.temperature");
        meter.CreateObservableGauge("app.threads", () => 12);
        var latency = meter.CreateHistogram<double>("app.latency");
        long before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        requests.Add(2, new KeyValuePair<string, object?>("method", "GET"));
        requests.Add(1, new KeyValuePair<string, object?>("method", "GET"));
        requests.Add(4, new KeyValuePair<string, object?>("method", "POST"));
        bytes.Add(1.25);
        queue.Add(5);
        queue.Add(-2);
        temperature.Record(21.5, new KeyValuePair<string, object?>("room", "lab 1"));
        latency.Record(5);
        latency.Record(50);
        latency.Record(500);
        Assert.True(provider.ForceFlush());

        var points = await WaitForPointsAsync(14);
        long after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var byName = points.ToDictionary(p => p.Metric, p => p.Value);
        Assert.Equal(new Dictionary<string, double>
        {
            ["otel.app.requests.method.GET"] = 3,
            ["otel.app.requests.method.POST"] = 4,
            ["otel.app.bytes"] = 1.25,
            ["otel.app.queue.length"] = 3,
            ["otel.app.temperature.room.lab_1"] = 21.5,
            ["otel.app.threads"] = 12,
            ["otel.app.latency.count"] = 3,
            ["otel.app.latency.sum"] = 555,
            ["otel.app.latency.min"] = 5,
            ["otel.app.latency.max"] = 500,
            ["otel.app.latency.bucket.le_10"] = 1,
            ["otel.app.latency.bucket.le_100"] = 2,
            ["otel.app.latency.bucket.le_inf"] = 3,
            ["otel.app.latency.bucket.le_1000"] = 3,
        }.OrderBy(kv => kv.Key), byName.OrderBy(kv => kv.Key));
        Assert.All(points, p => Assert.InRange(p.Timestamp, before, after));
    }

    [Fact]
    public async Task Delta_WritesTheChangePerExport_ButUpDownCountersStayCumulative()
    {
        using var meter = new Meter(meterName);
        using MeterProvider provider = Provider(o => o.TemporalityPreference = MetricReaderTemporalityPreference.Delta);
        var requests = meter.CreateCounter<long>("requests");
        var queue = meter.CreateUpDownCounter<long>("queue");
        var latency = meter.CreateHistogram<long>("latency");

        requests.Add(3);
        queue.Add(5);
        latency.Record(7);
        Assert.True(provider.ForceFlush());
        await WaitForPointsAsync(2 + 4 + 16); // requests, queue; latency count, sum, min, max and 15 default bounds + le_inf
        requests.Add(2);
        queue.Add(1);
        latency.Record(9);
        latency.Record(11);
        Assert.True(provider.ForceFlush());

        var points = await carbon.WaitForLinesAsync(l => l.Count(x => x.StartsWith("latency.count ", StringComparison.Ordinal)) == 2, Timeout);
        var parsed = carbon.Points;
        Assert.Equal([3.0, 2.0], parsed.Where(p => p.Metric == "requests").Select(p => p.Value));
        Assert.Equal([5.0, 6.0], parsed.Where(p => p.Metric == "queue").Select(p => p.Value));
        Assert.Equal([1.0, 2.0], parsed.Where(p => p.Metric == "latency.count").Select(p => p.Value));
        Assert.Equal([7.0, 20.0], parsed.Where(p => p.Metric == "latency.sum").Select(p => p.Value));
        Assert.Equal([7.0, 9.0], parsed.Where(p => p.Metric == "latency.min").Select(p => p.Value));
    }

    [Fact]
    public async Task Tags_WritesGraphiteTaggedSeries()
    {
        using var meter = new Meter(meterName);
        using MeterProvider provider = Provider(o => o.NameMapper = new GraphiteMetricNameMapper { Style = GraphiteNamingStyle.Tags, Prefix = "otel" });
        meter.CreateCounter<long>("http.requests").Add(1, new("http.route", "/a b"), new("http.method", "GET"));

        Assert.True(provider.ForceFlush());

        var points = await WaitForPointsAsync(1);
        Assert.Equal("otel.http.requests;http.method=GET;http.route=/a_b", points.Single().Metric);
    }

    [Fact]
    public async Task NonFiniteValues_AreSkipped()
    {
        using var meter = new Meter(meterName);
        using MeterProvider provider = Provider(_ => { });
        meter.CreateGauge<double>("bad").Record(double.NaN);
        meter.CreateGauge<double>("good").Record(1);

        Assert.True(provider.ForceFlush());

        await WaitForPointsAsync(1);
        await Task.Delay(200);
        Assert.Equal(["good"], carbon.Points.Select(p => p.Metric));
    }

    [Fact]
    public async Task PointTheClientCannotTake_FailsTheExport_AndTheLogSaysWhy()
    {
        var logs = new Microsoft.Extensions.Logging.Testing.FakeLoggerProvider();
        using var loggerFactory = new Microsoft.Extensions.Logging.LoggerFactory([logs]);
        using var meter = new Meter(meterName);
        using MeterProvider provider = Provider(o => o.ClientOptions = new GraphiteClientOptions { BatchInterval = TimeSpan.FromMilliseconds(10), LoggerFactory = loggerFactory });
        meter.CreateCounter<long>("too.long").Add(1, new KeyValuePair<string, object?>("tag", new string('x', 300))); // a path node carbon cannot create
        meter.CreateCounter<long>("fine").Add(1);

        Assert.False(provider.ForceFlush());

        await WaitForPointsAsync(1);
        Assert.Equal(["fine"], carbon.Points.Select(p => p.Metric));
        Assert.Contains(logs.Collector.GetSnapshot(), r => r.Id.Name == "InvalidPoint" && r.Message.Contains("is 300 bytes in UTF-8, over 251", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnExistingClient_IsFlushedButNotClosedOnShutdown()
    {
        await using GraphiteClient client = await GraphiteClient.ConnectAsync("127.0.0.1", carbon.Port, cancellationToken: TestContext.Current.CancellationToken);
        using var meter = new Meter(meterName);
        MeterProvider provider = Provider(o => o.Client = client);
        meter.CreateCounter<int>("shared").Add(1);

        provider.Dispose(); // shutdown: last export, then flush

        await WaitForPointsAsync(1);
        Assert.True(client.TrySend("still.open", 1));
    }

    [Theory]
    [InlineData("plaintext", 2003)]
    [InlineData("Pickle", 2004)]
    public void Port_WhenLeftOut_IsTheProtocolsDefault(string protocol, int expectedPort)
    {
        using var exporter = new GraphiteMetricExporter(new GraphiteExporterOptions { Host = "127.0.0.1", Protocol = protocol });

        Assert.Equal(expectedPort, exporter.Client.Port);
    }

    [Fact]
    public async Task AnOwnedClient_IsClosedWhenTheMeterProviderIsDisposed()
    {
        var exporter = new GraphiteMetricExporter(new GraphiteExporterOptions { Host = "127.0.0.1", Port = carbon.Port });
        using var meter = new Meter(meterName);
        MeterProvider provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(meterName)
            .AddReader(new PeriodicExportingMetricReader(exporter, exportIntervalMilliseconds: 3_600_000))
            .Build();
        meter.CreateCounter<int>("owned").Add(5);

        provider.Dispose();

        Assert.Equal([("owned", 5.0)], (await WaitForPointsAsync(1)).Select(p => (p.Metric, p.Value)));
        Assert.False(exporter.Client.TrySend("after.close", 1));
    }

    [Fact]
    public void ForceFlush_WhileCarbonIsDown_GivesUpAfterTheExportTimeout()
    {
        using var meter = new Meter(meterName);
        int closedPort = AioGraphite.TestUtilities.FreePorts.AllocateTcp();
        using MeterProvider provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(meterName)
            .AddGraphiteExporter(o =>
            {
                o.Host = "127.0.0.1";
                o.Port = closedPort;
                o.ExportInterval = TimeSpan.FromHours(1);
                o.ExportTimeout = TimeSpan.FromMilliseconds(300);
                o.ClientOptions = new GraphiteClientOptions { DrainTimeout = TimeSpan.FromMilliseconds(100) };
            })
            .Build();
        meter.CreateCounter<int>("lost").Add(1);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        bool flushed = provider.ForceFlush(); // infinite by default: capped at ExportTimeout

        Assert.False(flushed);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("Protocol", "GraphiteExporterOptions.Protocol 'json'")]
    [InlineData("Port", "GraphiteExporterOptions.Port")]
    [InlineData("Host", "GraphiteExporterOptions.Host is required")]
    [InlineData("ExportInterval", "GraphiteExporterOptions.ExportInterval")]
    public void InvalidOptions_AreRejectedNamingTheSetting(string setting, string expected)
    {
        var options = new GraphiteExporterOptions();
        switch (setting)
        {
            case "Protocol": options.Protocol = "json"; break;
            case "Port": options.Port = 0; break;
            case "Host": options.Host = " "; break;
            default: options.ExportInterval = TimeSpan.Zero; break;
        }

        var ex = Assert.ThrowsAny<ArgumentException>(() => new GraphiteMetricExporter(options));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BindingOptionsFromConfiguration_NeverChangesTheSharedDefaults()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Graphite:Host"] = "carbon",
            ["Graphite:ClientOptions:BatchInterval"] = "00:00:07",
            ["Graphite:NameMapper:Prefix"] = "bound",
            ["Graphite:NameMapper:Style"] = "Tags",
            ["Graphite:TemporalityPreference"] = "Delta",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddOptions<GraphiteExporterOptions>().BindConfiguration("Graphite");
        using ServiceProvider provider = services.BuildServiceProvider();

        GraphiteExporterOptions options = provider.GetRequiredService<IOptions<GraphiteExporterOptions>>().Value;

        Assert.Equal("carbon", options.Host);
        Assert.Equal(TimeSpan.FromSeconds(7), options.ClientOptions.BatchInterval);
        Assert.Equal("bound", options.NameMapper.Prefix);
        Assert.Equal(GraphiteNamingStyle.Tags, options.NameMapper.Style);
        Assert.Equal(MetricReaderTemporalityPreference.Delta, options.TemporalityPreference);
        Assert.Equal(TimeSpan.FromMilliseconds(100), GraphiteClientOptions.Default.BatchInterval);
        Assert.Null(GraphiteMetricNameMapper.Default.Prefix);
    }

    private MeterProvider Provider(Action<GraphiteExporterOptions> configure) =>
        Sdk.CreateMeterProviderBuilder()
            .AddMeter(meterName)
            .AddView("app.latency", new ExplicitBucketHistogramConfiguration { Boundaries = [10, 100, 1000] })
            .AddGraphiteExporter(o =>
            {
                o.Host = "127.0.0.1";
                o.Port = carbon.Port;
                o.ExportInterval = TimeSpan.FromHours(1); // only ForceFlush / shutdown export
                o.ClientOptions = new GraphiteClientOptions { BatchInterval = TimeSpan.FromMilliseconds(10) };
                configure(o);
            })
            .Build();

    private async Task<IReadOnlyList<(string Metric, double Value, long Timestamp)>> WaitForPointsAsync(int count)
    {
        await carbon.WaitForLinesAsync(l => l.Count >= count, Timeout);
        return carbon.Points;
    }
}
