using System.Diagnostics;
using AioGraphite.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Xunit;

namespace AioGraphite.Extensions.Tests.Hosting;

/// <summary>When the host closes the registered client, with carbon unreachable (nothing listens on its port).</summary>
public sealed class GraphiteClientLifetimeTests
{
    [Fact]
    public async Task HostShutdownTimeoutRunsOut_ClientIsClosedAtOnce_NotAfterItsDrainTimeout()
    {
        int port = FreePorts.AllocateTcp(); // nothing listens: the points stay buffered
        HostApplicationBuilder builder = TestHosts.Builder($$"""
            { "Graphite": { "Host": "127.0.0.1", "Port": {{port}}, "DrainTimeout": "00:00:30" } }
            """);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(200));
        builder.Services.AddHostedService<StopsOnlyWhenCancelledService>();
        builder.Services.AddGraphite(builder.Configuration.GetSection("Graphite"));
        builder.Logging.AddFakeLogging();
        IHost host = builder.Build();
        FakeLogCollector logs = host.Services.GetFakeLogCollector();
        await host.StartAsync(TestContext.Current.CancellationToken);
        GraphiteClient client = host.Services.GetRequiredService<GraphiteClient>();
        Assert.True(client.TrySend("stuck", 1));

        var elapsed = Stopwatch.StartNew();
        await host.StopAsync(TestContext.Current.CancellationToken);
        await TestHosts.DisposeAsync(host);
        elapsed.Stop();

        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(20), $"stopping and disposing the host took {elapsed.Elapsed} (the drain timeout is 30 s)");
        Assert.Equal(1, client.Statistics.PointsUndelivered);
        FakeLogRecord timedOut = Assert.Single(logs.GetSnapshot(), r => r.Id.Name == "ShutdownTimedOut");
        Assert.Equal($"The host's shutdown timeout ran out (or its stop was cancelled) before its services had stopped; closing the Graphite client for 127.0.0.1:{port} without waiting for delivery (1 point(s) still buffered)", timedOut.Message);
        Assert.Equal(LogLevel.Warning, timedOut.Level);
    }

    /// <summary>A hosted service whose stop takes until the host gives up on it.</summary>
    private sealed class StopsOnlyWhenCancelledService : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // the host's shutdown timeout ran out
            }
        }
    }
}
