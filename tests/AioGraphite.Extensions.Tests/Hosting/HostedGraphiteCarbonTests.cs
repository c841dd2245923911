using AioGraphite.Extensions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Xunit;

namespace AioGraphite.Extensions.Tests.Hosting;

/// <summary>appsettings → AddGraphite → client → a real carbon-cache.</summary>
public sealed class HostedGraphiteCarbonTests(SharedServers servers)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData("plaintext")]
    [InlineData("pickle")]
    public async Task PointsSentThroughTheRegisteredClient_AreStoredByCarbon(string protocol)
    {
        string prefix = SharedServers.UniquePrefix("hosted_" + protocol);
        int port = protocol == "pickle" ? servers.Carbon.PicklePort : servers.Carbon.LinePort;
        using IHost host = TestHosts.WithGraphite($$"""
            { "Host": "127.0.0.1", "Port": {{port}}, "Protocol": "{{protocol}}", "MetricPrefix": "{{prefix}}", "BatchInterval": "00:00:00.050" }
            """).Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        GraphiteClient client = host.Services.GetRequiredService<GraphiteClient>();
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        await client.SendAsync("requests", 42.5, now - 2, TestContext.Current.CancellationToken);
        await client.SendMultipleAsync([new Datapoint("requests", 43.25, now - 1), new Datapoint("requests", -1, now)], cancellationToken: TestContext.Current.CancellationToken);

        var points = await servers.Carbon.WaitForPointsAsync(prefix + ".requests", 3, Timeout);
        Assert.Equal([(now - 2, 42.5), (now - 1, 43.25), (now, -1.0)], points);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task StopAsync_FlushesPointsSentJustBeforeIt()
    {
        string prefix = SharedServers.UniquePrefix("shutdown");
        // A batch interval far longer than the test: only the shutdown flush can write these points.
        using IHost host = TestHosts.WithGraphite($$"""
            { "Host": "127.0.0.1", "Port": {{servers.Carbon.LinePort}}, "MetricPrefix": "{{prefix}}", "BatchInterval": "00:10:00", "BatchSizeBytes": 1048576 }
            """).Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        GraphiteClient client = host.Services.GetRequiredService<GraphiteClient>();
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        for (int i = 0; i < 50; i++)
        {
            client.TrySend("flushed", i, now - 50 + i);
        }

        Assert.True(client.Statistics.BufferedPoints > 0, "the points should still be buffered before StopAsync");
        await host.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(50, client.Statistics.PointsWritten);
        Assert.Equal(0, client.Statistics.PointsUndelivered);
        var points = await servers.Carbon.WaitForPointsAsync(prefix + ".flushed", 50, Timeout);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (now - 50 + i, (double)i)), points);
    }

    [Fact]
    public async Task StopAsync_DeliversPointsThatOtherHostedServicesSendWhileStopping()
    {
        string prefix = SharedServers.UniquePrefix("stopping");
        var builder = TestHosts.Builder($$"""
            { "Graphite": { "Host": "127.0.0.1", "Port": {{servers.Carbon.LinePort}}, "MetricPrefix": "{{prefix}}", "BatchInterval": "00:10:00" } }
            """);
        // Registered before AddGraphite, so the host stops it AFTER the Graphite lifetime service's StopAsync:
        // the client must stay open until every hosted service has stopped.
        builder.Services.AddHostedService<SendOnStopService>();
        builder.Services.AddGraphite(builder.Configuration.GetSection("Graphite"));
        using IHost host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);

        await host.StopAsync(TestContext.Current.CancellationToken);

        var points = await servers.Carbon.WaitForPointsAsync(prefix + ".last_words", 3, Timeout);
        Assert.Equal([1.0, 2.0, 3.0], points.Select(p => p.Value));
    }

    [Fact]
    public async Task ClientLogs_GoToTheHostsLogger()
    {
        var builder = TestHosts.WithGraphite($$"""{ "Host": "127.0.0.1", "Port": {{servers.Carbon.LinePort}} }""");
        builder.Logging.SetMinimumLevel(LogLevel.Debug).AddFakeLogging();
        using IHost host = builder.Build();
        FakeLogCollector logs = host.Services.GetFakeLogCollector();

        await host.StartAsync(TestContext.Current.CancellationToken);
        GraphiteClient client = host.Services.GetRequiredService<GraphiteClient>();
        client.TrySend("logged", 1);
        await client.FlushAsync(TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);

        IReadOnlyList<FakeLogRecord> records = logs.GetSnapshot();
        Assert.Contains(records, r => r.Category == "AioGraphite.GraphiteClient" && r.Level == LogLevel.Information && r.Message.StartsWith("Connected to Graphite at 127.0.0.1:", StringComparison.Ordinal));
        Assert.Contains(records, r => r.Category == "AioGraphite.GraphiteClient" && r.Id.Name == "Closed");
        Assert.Contains(records, r => r.Category == "AioGraphite.Extensions.Hosting.GraphiteClientLifetime" && r.Id.Name == "ShutdownFlushed");
    }

    private sealed class SendOnStopService(GraphiteClient client) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            await client.SendMultipleAsync([new("last_words", 1, now - 3), new("last_words", 2, now - 2), new("last_words", 3, now - 1)], cancellationToken: cancellationToken);
        }
    }
}
