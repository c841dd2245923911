using System.Diagnostics.Metrics;
using AioGraphite.Extensions.Tests.Hosting;
using AioGraphite.Extensions.Tests.Infrastructure;
using AioGraphite.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OpenTelemetry.Metrics;
using Xunit;

namespace AioGraphite.Extensions.Tests.OpenTelemetry;

/// <summary>
/// A host whose OpenTelemetry exporter writes through the client registered by <c>AddGraphite</c>: the meter provider's
/// final export, made when the host disposes it, reaches carbon whichever of the two is registered first.
/// </summary>
public sealed class SharedClientShutdownTests(SharedServers servers)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task FinalExport_ThroughTheSharedClient_IsStoredByCarbon_WhateverTheRegistrationOrder(bool addGraphiteFirst)
    {
        string prefix = SharedServers.UniquePrefix(addGraphiteFirst ? "final_export_graphite_first" : "final_export_otel_first");
        using var meter = new Meter(prefix.Replace('.', '_'));
        HostApplicationBuilder builder = TestHosts.Builder($$"""
            { "Graphite": { "Host": "127.0.0.1", "Port": {{servers.Carbon.LinePort}}, "BatchInterval": "00:10:00",
                            "ExportInterval": "01:00:00", "NameMapper": { "Prefix": "{{prefix}}" } } }
            """);
        builder.Logging.AddFakeLogging();
        if (addGraphiteFirst)
        {
            AddGraphite(builder);
            AddMetrics(builder, meter.Name);
        }
        else
        {
            AddMetrics(builder, meter.Name);
            AddGraphite(builder);
        }

        IHost host = builder.Build();
        FakeLogCollector logs = host.Services.GetFakeLogCollector();
        await host.StartAsync(TestContext.Current.CancellationToken);
        GraphiteClient client = host.Services.GetRequiredService<GraphiteClient>();
        Counter<long> orders = meter.CreateCounter<long>("orders");
        orders.Add(3, new KeyValuePair<string, object?>("kind", "a"));
        orders.Add(4, new KeyValuePair<string, object?>("kind", "b"));
        orders.Add(5, new KeyValuePair<string, object?>("kind", "a"));

        // The export interval is an hour and the batch interval ten minutes: only the final export (when the host
        // disposes the meter provider) and the client's close can write these points.
        await host.StopAsync(TestContext.Current.CancellationToken);
        await TestHosts.DisposeAsync(host);

        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.FlushAsync(TestContext.Current.CancellationToken)); // closed by the disposal
        Assert.Equal(0, client.Statistics.PointsUndelivered);

        string[] warnings = [.. logs.GetSnapshot().Where(r => r.Level >= LogLevel.Warning).Select(r => $"{r.Category}: {r.Message}")];
        Assert.True(warnings.Length == 0, string.Join("\n", warnings));
        Assert.Equal([8.0], (await servers.Carbon.WaitForPointsAsync(prefix + ".orders.kind.a", 1, Timeout)).Select(p => p.Value));
        Assert.Equal([4.0], (await servers.Carbon.WaitForPointsAsync(prefix + ".orders.kind.b", 1, Timeout)).Select(p => p.Value));
    }

    private static void AddGraphite(HostApplicationBuilder builder) =>
        builder.Services.AddGraphite(builder.Configuration.GetSection("Graphite"));

    private static void AddMetrics(HostApplicationBuilder builder, string meterName)
    {
        builder.Services.AddOptions<GraphiteExporterOptions>().BindConfiguration("Graphite")
            .Configure<GraphiteClient>((exporter, client) => exporter.Client = client);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(meterName).AddGraphiteExporter());
    }
}
