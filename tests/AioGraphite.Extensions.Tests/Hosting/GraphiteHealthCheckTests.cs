using AioGraphite.Extensions.Hosting;
using AioGraphite.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using DestinationState = AioGraphite.Extensions.Hosting.GraphiteHealthCheck.DestinationState;

namespace AioGraphite.Extensions.Tests.Hosting;

/// <summary>
/// The Graphite health check's thresholds on a fake clock: reconnecting, unreachable, replaying, a filling buffer,
/// dropped points, and its registration (named options, failure status, tags) through a host.
/// </summary>
public sealed class GraphiteHealthCheckTests
{
    private const long Capacity = 1000;
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private readonly object _client = new();
    private readonly DroppedPointsWatch _drops = new();

    private static DestinationState Destination(GraphiteConnectionStatus status = default, GraphiteClientStatistics statistics = default) =>
        new("127.0.0.1:2003", status, statistics);

    private HealthCheckResult Evaluate(DestinationState d, DateTimeOffset? now = null, GraphiteHealthCheckOptions? options = null, HealthStatus failure = HealthStatus.Unhealthy) =>
        GraphiteHealthCheck.Evaluate([d], d.Statistics, Capacity, now ?? Now, options ?? new GraphiteHealthCheckOptions(), _drops, _client, failure);

    [Fact]
    public void Connected_IsHealthy_WithTheFiguresInTheData()
    {
        HealthCheckResult result = Evaluate(Destination(
            new GraphiteConnectionStatus { LastDeliveryTime = Now - TimeSpan.FromSeconds(2) },
            new GraphiteClientStatistics { PointsDelivered = 42, BufferedPoints = 3, BufferedBytes = 60, InFlightPoints = 1, Reconnects = 2 }));

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("Connected to carbon, which last consumed points 2 s ago.", result.Description);
        Assert.Equal(true, result.Data["127.0.0.1:2003.connected"]);
        Assert.Equal(42L, result.Data["pointsDelivered"]);
        Assert.Equal(0L, result.Data["pointsDropped"]);
        Assert.Equal(3L, result.Data["bufferedPoints"]);
        Assert.Equal(60L, result.Data["127.0.0.1:2003.bufferedBytes"]);
        Assert.Equal(1L, result.Data["inFlightPoints"]);
        Assert.Equal(2L, result.Data["reconnects"]);
        Assert.Equal("2023-11-14T22:13:18.0000000+00:00", result.Data["lastDelivery"]);
    }

    [Fact]
    public void Disconnected_IsDegradedUpToTheThreshold_ThenTheFailureStatus()
    {
        var status = new GraphiteConnectionStatus { DisconnectedSince = Now };
        var options = new GraphiteHealthCheckOptions { UnreachableThreshold = TimeSpan.FromSeconds(30) };

        HealthCheckResult reconnecting = Evaluate(Destination(status), Now + TimeSpan.FromSeconds(30), options);
        Assert.Equal(HealthStatus.Degraded, reconnecting.Status);
        Assert.Equal("Reconnecting to carbon at 127.0.0.1:2003, which has been unreachable for 30 s.", reconnecting.Description);
        Assert.Equal(false, reconnecting.Data["127.0.0.1:2003.connected"]);

        HealthCheckResult unreachable = Evaluate(Destination(status), Now + TimeSpan.FromSeconds(31), options);
        Assert.Equal(HealthStatus.Unhealthy, unreachable.Status);
        Assert.Equal("Carbon at 127.0.0.1:2003 has been unreachable for 31 s, longer than the 30 s allowed.", unreachable.Description);

        Assert.Equal(HealthStatus.Degraded, Evaluate(Destination(status), Now + TimeSpan.FromMinutes(5), options, failure: HealthStatus.Degraded).Status);
    }

    [Fact]
    public void DefaultUnreachableThreshold_IsOneMinute()
    {
        var status = new GraphiteConnectionStatus { DisconnectedSince = Now };

        Assert.Equal(HealthStatus.Degraded, Evaluate(Destination(status), Now + TimeSpan.FromSeconds(60)).Status);
        Assert.Equal(HealthStatus.Unhealthy, Evaluate(Destination(status), Now + TimeSpan.FromSeconds(61)).Status);
    }

    [Fact]
    public void Replaying_IsDegraded()
    {
        HealthCheckResult result = Evaluate(Destination(new GraphiteConnectionStatus { IsReplaying = true }, new GraphiteClientStatistics { InFlightPoints = 12 }));

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal("12 points wait to be sent again to 127.0.0.1:2003, which may have lost them when the connection dropped.", result.Description);
        Assert.Equal(
            "1 point waits to be sent again to 127.0.0.1:2003, which may have lost it when the connection dropped.",
            Evaluate(Destination(new GraphiteConnectionStatus { IsReplaying = true }, new GraphiteClientStatistics { InFlightPoints = 1 })).Description);
    }

    [Fact]
    public void Buffer_AboveTheThreshold_IsDegraded()
    {
        Assert.Equal(HealthStatus.Healthy, Evaluate(Destination(statistics: new GraphiteClientStatistics { BufferedBytes = 500 })).Status);

        HealthCheckResult half = Evaluate(Destination(statistics: new GraphiteClientStatistics { BufferedBytes = 501 }));
        Assert.Equal(HealthStatus.Degraded, half.Status);
        Assert.Equal("The buffer for 127.0.0.1:2003 is 50% full: it holds 501 of 1000 bytes.", half.Description);

        var options = new GraphiteHealthCheckOptions { BufferThreshold = 0.9 };
        Assert.Equal(HealthStatus.Healthy, Evaluate(Destination(statistics: new GraphiteClientStatistics { BufferedBytes = 900 }), options: options).Status);
    }

    [Fact]
    public void DroppedPoints_FailForTheWindowAfterTheCheckSawThem()
    {
        var time = new FakeTimeProvider(Now);
        var options = new GraphiteHealthCheckOptions { DroppedPointsWindow = TimeSpan.FromMinutes(2) };
        HealthCheckResult Check(long dropped) =>
            Evaluate(Destination(statistics: new GraphiteClientStatistics { PointsDroppedBufferFull = dropped }), time.GetUtcNow(), options);

        Assert.Equal(HealthStatus.Healthy, Check(0).Status);
        HealthCheckResult dropping = Check(5);
        Assert.Equal(HealthStatus.Unhealthy, dropping.Status);
        Assert.Equal("Points were dropped 0 s ago; 5 points have been dropped since the client started.", dropping.Description);
        Assert.Equal(5L, dropping.Data["pointsDropped"]);

        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HealthStatus.Unhealthy, Check(5).Status);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HealthStatus.Healthy, Check(5).Status);

        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(HealthStatus.Unhealthy, Evaluate(Destination(statistics: new GraphiteClientStatistics { PointsUndelivered = 1, PointsDroppedBufferFull = 5 }), time.GetUtcNow(), options).Status);
    }

    [Fact]
    public void SpoolBacklog_IsInTheData_AndAHealthySpoolStaysHealthy()
    {
        var spool = new GraphiteSpoolStatistics { Bytes = 4096, Records = 7, Files = 1, PointsSpooled = 300 };
        HealthCheckResult result = Evaluate(Destination(statistics: new GraphiteClientStatistics { Spool = spool }));

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal(4096L, result.Data["127.0.0.1:2003.spool.bytes"]);
        Assert.Equal(7L, result.Data["127.0.0.1:2003.spool.records"]);
        Assert.Equal(1, result.Data["127.0.0.1:2003.spool.files"]);
        Assert.Equal(4096L, result.Data["spoolBytes"]);
        Assert.Equal(7L, result.Data["spoolRecords"]);
        Assert.Equal(0L, result.Data["127.0.0.1:2003.spool.damagedRecords"]);
        Assert.False(Evaluate(Destination()).Data.ContainsKey("spoolBytes")); // no spool, no spool figures
    }

    [Fact]
    public void SpoolDamage_IsDegraded_WithASentenceAndTheFigures()
    {
        var spool = new GraphiteSpoolStatistics { Bytes = 2048, Records = 3, Files = 1, DamagedRecords = 1, DamagedBytes = 1532, DamagedPoints = 40, QuarantinedFiles = 1, QuarantinedBytes = 1_900_000 };
        HealthCheckResult result = Evaluate(Destination(statistics: new GraphiteClientStatistics { Spool = spool }));

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal(
            "The spool of 127.0.0.1:2003 had 1 damaged record at start-up (1532 bytes, about 40 points) that could not be sent; "
            + "a copy of each damaged file is kept in the spool directory as NAME.spool.corrupt (1900000 bytes of copies now). The spool holds 2048 bytes in 3 records.",
            result.Description);
        Assert.Equal(1L, result.Data["127.0.0.1:2003.spool.damagedRecords"]);
        Assert.Equal(40L, result.Data["127.0.0.1:2003.spool.damagedPoints"]);
        Assert.Equal(1532L, result.Data["127.0.0.1:2003.spool.damagedBytes"]);
        Assert.Equal(1_900_000L, result.Data["127.0.0.1:2003.spool.quarantinedBytes"]);
        Assert.Equal(1L, result.Data["spoolDamagedRecords"]);
    }

    [Fact]
    public void SpoolFailing_IsDegradedForTheWindowAfterTheCheckSawAFailure()
    {
        var time = new FakeTimeProvider(Now);
        var options = new GraphiteHealthCheckOptions { DroppedPointsWindow = TimeSpan.FromMinutes(2) };
        HealthCheckResult Check(long errors) =>
            Evaluate(Destination(statistics: new GraphiteClientStatistics { Spool = new GraphiteSpoolStatistics { Errors = errors, Bytes = 100, Records = 2 } }), time.GetUtcNow(), options);

        Assert.Equal(HealthStatus.Healthy, Check(0).Status);
        HealthCheckResult failing = Check(3);
        Assert.Equal(HealthStatus.Degraded, failing.Status);
        Assert.Equal("The disk spool failed to write or sync 0 s ago (3 failures since the client started): meanwhile points stay in memory. The spool holds 100 bytes in 2 records.", failing.Description);
        Assert.Equal(3L, failing.Data["127.0.0.1:2003.spool.errors"]);

        time.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));
        Assert.Equal(HealthStatus.Healthy, Check(3).Status);
        Assert.Equal(HealthStatus.Degraded, Check(4).Status);
    }

    [Fact]
    public void SeveralFindings_TheWorstWins_AndEveryOneIsDescribed()
    {
        HealthCheckResult result = Evaluate(
            Destination(new GraphiteConnectionStatus { DisconnectedSince = Now - TimeSpan.FromMinutes(2), IsReplaying = true }, new GraphiteClientStatistics { BufferedBytes = 900 }));

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal(
            "Carbon at 127.0.0.1:2003 has been unreachable for 120 s, longer than the 60 s allowed. "
            + "Points wait to be sent again to 127.0.0.1:2003, which may have lost them when the connection dropped. "
            + "The buffer for 127.0.0.1:2003 is 90% full: it holds 900 of 1000 bytes.",
            result.Description);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void InvalidBufferThreshold_IsRejected(double threshold) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new GraphiteHealthCheckOptions { BufferThreshold = threshold }.Validate());

    [Fact]
    public async Task Registered_ReadsTheHostsClientOnItsClock_DegradedThenUnhealthyWhileCarbonIsUnreachable()
    {
        var clock = new FakeTimeProvider(Now);
        int port = FreePorts.AllocateTcp(); // nothing listens there
        HostApplicationBuilder builder = TestHosts.WithGraphite($$"""{ "Host": "127.0.0.1", "Port": {{port}} }""");
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddHealthChecks().AddGraphite(o => o.UnreachableThreshold = TimeSpan.FromSeconds(10), tags: ["ready"]);
        using IHost host = builder.Build();
        GraphiteClient client = host.Services.GetRequiredService<GraphiteClient>();
        HealthCheckService health = host.Services.GetRequiredService<HealthCheckService>();
        try
        {
            HealthReport report = await health.CheckHealthAsync(TestContext.Current.CancellationToken);
            HealthReportEntry entry = report.Entries[GraphiteHealthChecksBuilderExtensions.DefaultName];
            Assert.Equal(HealthStatus.Degraded, entry.Status);
            Assert.Equal(["ready"], entry.Tags);
            Assert.Equal(Now.ToString("O", System.Globalization.CultureInfo.InvariantCulture), entry.Data[$"127.0.0.1:{port}.disconnectedSince"]);

            // The reason of the last failed attempt, once one has failed (the first attempt runs in the background).
            await Poll.UntilAsync(() => client.GetConnectionStatus(0).LastConnectFailure is not null, TimeSpan.FromSeconds(10), () => "a failed attempt to connect");
            entry = (await health.CheckHealthAsync(TestContext.Current.CancellationToken)).Entries[GraphiteHealthChecksBuilderExtensions.DefaultName];
            string reason = Assert.IsType<string>(entry.Data[$"127.0.0.1:{port}.lastConnectFailure"]);
            Assert.Contains($"127.0.0.1:{port}", reason, StringComparison.Ordinal);
            Assert.Contains("ConnectionRefused", reason, StringComparison.Ordinal);

            clock.Advance(TimeSpan.FromSeconds(11));
            report = await health.CheckHealthAsync(TestContext.Current.CancellationToken);
            Assert.Equal(HealthStatus.Unhealthy, report.Status);
            Assert.StartsWith($"Carbon at 127.0.0.1:{port} has been unreachable for 11 s", report.Entries["graphite"].Description, StringComparison.Ordinal);
        }
        finally
        {
            await client.CloseAsync(TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task Thresholds_BindFromConfiguration_AsTheNamedOptionsOfTheCheck()
    {
        HostApplicationBuilder builder = TestHosts.Builder("""{ "Graphite": { "Host": "127.0.0.1", "Health": { "UnreachableThreshold": "00:00:05", "BufferThreshold": 0.75, "DroppedPointsWindow": "00:00:30" } } }""");
        builder.Services.AddGraphite(builder.Configuration.GetSection("Graphite"));
        builder.Services.AddOptions<GraphiteHealthCheckOptions>("graphite").BindConfiguration("Graphite:Health");
        builder.Services.AddHealthChecks().AddGraphite();
        using IHost host = builder.Build();

        GraphiteHealthCheckOptions options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<GraphiteHealthCheckOptions>>().Get("graphite");
        Assert.Equal(TimeSpan.FromSeconds(5), options.UnreachableThreshold);
        Assert.Equal(0.75, options.BufferThreshold);
        Assert.Equal(TimeSpan.FromSeconds(30), options.DroppedPointsWindow);
        await host.Services.GetRequiredService<GraphiteClient>().CloseAsync(TimeSpan.Zero);
    }
}
