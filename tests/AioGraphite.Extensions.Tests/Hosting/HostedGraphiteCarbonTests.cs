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
    public async Task StoppingAndDisposingTheHost_DeliversPointsSentJustBeforeIt()
    {
        string prefix = SharedServers.UniquePrefix("shutdown");
        // A batch interval far longer than the test: only the close when the host is disposed can write these points.
        IHost host = TestHosts.WithGraphite($$"""
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
        Assert.True(client.TrySend("flushed", 50, now), "the client should stay open until the host is disposed");
        await TestHosts.DisposeAsync(host);

        Assert.Equal(51, client.Statistics.PointsWritten);
        Assert.Equal(0, client.Statistics.PointsUndelivered);
        var points = await servers.Carbon.WaitForPointsAsync(prefix + ".flushed", 51, Timeout);
        Assert.Equal(Enumerable.Range(0, 51).Select(i => (now - 50 + i, (double)i)), points);
    }

    [Theory]
    [InlineData(nameof(IHostedService.StopAsync))]
    [InlineData(nameof(IHostedLifecycleService.StoppingAsync))]
    [InlineData(nameof(IHostedLifecycleService.StoppedAsync))]
    public async Task HostedServiceRegisteredBeforeAddGraphite_PointsItSendsWhileStopping_AreStoredByCarbon(string phase)
    {
        string prefix = SharedServers.UniquePrefix("stopping_" + phase);
        var builder = TestHosts.Builder($$"""
            { "Graphite": { "Host": "127.0.0.1", "Port": {{servers.Carbon.LinePort}}, "MetricPrefix": "{{prefix}}", "BatchInterval": "00:10:00" } }
            """);
        builder.Logging.AddFakeLogging();
        // Registered before AddGraphite, so the host runs each of its stop phases AFTER the Graphite lifetime
        // service's: the client must stay open until every hosted service has stopped.
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        builder.Services.AddSingleton(new SendWhileStoppingService.Settings(phase, now));
        builder.Services.AddHostedService<SendWhileStoppingService>();
        builder.Services.AddGraphite(builder.Configuration.GetSection("Graphite"));
        IHost host = builder.Build();
        FakeLogCollector logs = host.Services.GetFakeLogCollector();
        await host.StartAsync(TestContext.Current.CancellationToken);

        await host.StopAsync(TestContext.Current.CancellationToken);
        await TestHosts.DisposeAsync(host);

        string[] warnings = [.. logs.GetSnapshot().Where(r => r.Level >= LogLevel.Warning).Select(r => $"{r.Category}: {r.Message}")];
        Assert.True(warnings.Length == 0, string.Join("\n", warnings));
        var points = await servers.Carbon.WaitForPointsAsync(prefix + ".last_words", 3, Timeout);
        Assert.Equal([(now - 3, 1.0), (now - 2, 2.0), (now - 1, 3.0)], points);
    }

    [Fact]
    public async Task ClientLogs_GoToTheHostsLogger()
    {
        var builder = TestHosts.WithGraphite($$"""{ "Host": "127.0.0.1", "Port": {{servers.Carbon.LinePort}} }""");
        builder.Logging.SetMinimumLevel(LogLevel.Debug).AddFakeLogging();
        IHost host = builder.Build();
        FakeLogCollector logs = host.Services.GetFakeLogCollector();

        await host.StartAsync(TestContext.Current.CancellationToken);
        GraphiteClient client = host.Services.GetRequiredService<GraphiteClient>();
        client.TrySend("logged", 1);
        await client.FlushAsync(TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);
        await TestHosts.DisposeAsync(host);

        IReadOnlyList<FakeLogRecord> records = logs.GetSnapshot();
        Assert.Contains(records, r => r.Category == "AioGraphite.GraphiteClient" && r.Level == LogLevel.Information && r.Message.StartsWith("Connected to Graphite at 127.0.0.1:", StringComparison.Ordinal));
        Assert.Contains(records, r => r.Category == "AioGraphite.GraphiteClient" && r.Id.Name == "Closed");
    }

    /// <summary>Sends three points in one stop phase of the host.</summary>
    private sealed class SendWhileStoppingService(GraphiteClient client, SendWhileStoppingService.Settings settings) : IHostedLifecycleService
    {
        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => SendIn(nameof(StoppingAsync), cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => SendIn(nameof(StopAsync), cancellationToken);

        public Task StoppedAsync(CancellationToken cancellationToken) => SendIn(nameof(StoppedAsync), cancellationToken);

        private Task SendIn(string phase, CancellationToken cancellationToken) => phase != settings.Phase
            ? Task.CompletedTask
            : client.SendMultipleAsync([new("last_words", 1, settings.Now - 3), new("last_words", 2, settings.Now - 2), new("last_words", 3, settings.Now - 1)], cancellationToken: cancellationToken).AsTask();

        public sealed record Settings(string Phase, long Now);
    }
}
