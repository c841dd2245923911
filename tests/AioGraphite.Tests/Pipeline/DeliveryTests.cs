using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text;
using AioGraphite.Tests.Support;
using AioGraphite.TestUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AioGraphite.Tests.Pipeline;

/// <summary>The background pipeline against in-process sinks: reconnect, replay, batching, policies, UDP, telemetry.</summary>
public sealed class DeliveryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string[] Lines(byte[] bytes) => Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task ServerClosesTheConnection_ClientReconnectsAndReplaysRecentBytes()
    {
        await using LoopbackSink sink = LoopbackSink.Start();
        var logs = new ListLoggerFactory();
        await using var client = await GraphiteClient.ConnectAsync("127.0.0.1", sink.Port, options: new() { LoggerFactory = logs }, cancellationToken: Ct);
        await client.SendMultipleAsync([.. Enumerable.Range(0, 10).Select(i => new Datapoint("r.before", i, 100 + i))], cancellationToken: Ct);
        await client.FlushAsync(Ct);
        await sink.WaitUntilAsync(s => Lines(s.AllBytes).Length == 10, "ten lines");

        sink.DropConnections();
        await sink.WaitUntilAsync(s => s.Connections.Count == 2, "the reconnect");
        await client.SendAsync("r.after", 1, 200, Ct);
        await client.FlushAsync(Ct);
        await sink.WaitUntilAsync(s => Lines(s.Connections[1].Bytes).Length == 11, "replay plus the new line");

        string[] second = Lines(sink.Connections[1].Bytes);
        Assert.Equal([.. Enumerable.Range(0, 10).Select(i => $"r.before {i} {100 + i}"), "r.after 1 200"], second);
        Assert.Equal(1, client.Statistics.Reconnects);
        Assert.Equal(10, client.Statistics.PointsReplayed);
        Assert.Equal(11, client.Statistics.PointsWritten);
        Assert.Equal(1, logs.Count("Reconnected"));
        Assert.True(logs.Count("Disconnected") >= 1);
    }

    [Fact]
    public async Task ServerHalfClosesTheConnection_ClientNoticesAndReconnects()
    {
        await using LoopbackSink sink = LoopbackSink.Start();
        await using var client = await GraphiteClient.ConnectAsync("127.0.0.1", sink.Port, cancellationToken: Ct);
        await client.SendAsync("h.before", 1, 1, Ct);
        await client.FlushAsync(Ct);
        await sink.WaitUntilAsync(s => s.AllBytes.Length > 0, "the first line");

        sink.Connections[0].HalfClose();
        await sink.WaitUntilAsync(s => s.Connections.Count == 2, "the reconnect after a half-close");
        await client.SendAsync("h.after", 2, 2, Ct);
        await client.FlushAsync(Ct);
        await sink.WaitUntilAsync(s => Lines(s.Connections[1].Bytes).Contains("h.after 2 2"), "the new line on the new connection");
        Assert.Equal(1, client.Statistics.Reconnects);
    }

    [Fact]
    public async Task ReplayDisabled_AfterReconnectOnlyNewPointsAreSent()
    {
        await using LoopbackSink sink = LoopbackSink.Start();
        await using var client = await GraphiteClient.ConnectAsync("127.0.0.1", sink.Port, options: new() { ReplayEnabled = false }, cancellationToken: Ct);
        await client.SendAsync("x.before", 1, 1, Ct);
        await client.FlushAsync(Ct);
        await sink.WaitUntilAsync(s => s.AllBytes.Length > 0, "the first line");
        sink.DropConnections();
        await sink.WaitUntilAsync(s => s.Connections.Count == 2, "the reconnect");
        await client.SendAsync("x.after", 2, 2, Ct);
        await client.FlushAsync(Ct);
        await sink.WaitUntilAsync(s => s.Connections[1].Bytes.Length > 0, "the new line");
        Assert.Equal(["x.after 2 2"], Lines(sink.Connections[1].Bytes));
        Assert.Equal(0, client.Statistics.PointsReplayed);
    }

    [Fact]
    public async Task LazyConnect_ServerStartsAfterTheClient_BufferedPointsAreDelivered()
    {
        int port = FreePorts.AllocateTcp();
        await using var client = await GraphiteClient.ConnectAsync("127.0.0.1", port, options: new() { LazyConnect = true, ReconnectMaxDelay = TimeSpan.FromMilliseconds(200) }, cancellationToken: Ct);
        await client.SendMultipleAsync([.. Enumerable.Range(0, 500).Select(i => new Datapoint("late.m", i, 1 + i))], cancellationToken: Ct);
        await Task.Delay(300, Ct);
        Assert.Equal(0, client.Statistics.PointsWritten);

        await using LoopbackSink sink = LoopbackSink.Start(port);
        await client.FlushAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await sink.WaitUntilAsync(s => Lines(s.AllBytes).Length == 500, "all 500 lines");
        Assert.Equal(500, client.Statistics.PointsWritten);
    }

    [Fact]
    public async Task Backoff_UsesTheTimeProvider_NoRetryUntilTimeAdvances()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        var logs = new ListLoggerFactory();
        int port = FreePorts.AllocateTcp();
        var options = new GraphiteClientOptions
        {
            TimeProvider = time,
            LoggerFactory = logs,
            ReconnectInitialDelay = TimeSpan.FromSeconds(1),
            ReconnectMaxDelay = TimeSpan.FromSeconds(8),
            DrainTimeout = TimeSpan.Zero,
        };
        await using var client = GraphiteClient.Create("127.0.0.1", port, options: options);
        await WaitForAsync(() => logs.Count("ConnectFailed") == 1, "the first failed attempt");
        await Task.Delay(300, Ct);
        Assert.Equal(1, logs.Count("ConnectFailed"));

        for (int attempt = 2; attempt <= 5; attempt++)
        {
            time.Advance(TimeSpan.FromSeconds(8));
            int expected = attempt;
            await WaitForAsync(() => logs.Count("ConnectFailed") == expected, $"attempt {expected}");
        }

        // The logged delays double (with jitter between half and all of the cap): 1, 2, 4, 8 s caps.
        long[] delays = [.. logs.Entries.Where(e => e.Id.Name == "ConnectFailed").Select(e => long.Parse(e.Message.Split("retrying in ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture))];
        long[] caps = [1000, 2000, 4000, 8000, 8000];
        for (int i = 0; i < delays.Length; i++)
        {
            Assert.InRange(delays[i], caps[i] / 2, caps[i]);
        }
    }

    [Fact]
    public async Task BatchInterval_APartialBatchWaitsForTheIntervalOnTheTimeProvider()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        await using LoopbackSink sink = LoopbackSink.Start();
        var options = new GraphiteClientOptions { TimeProvider = time, BatchInterval = TimeSpan.FromSeconds(1) };
        await using var client = await GraphiteClient.ConnectAsync("127.0.0.1", sink.Port, options: options, cancellationToken: Ct);
        await client.SendAsync("interval.m", 1, 5, Ct);
        await Task.Delay(300, Ct);
        Assert.Empty(sink.AllBytes);

        time.Advance(TimeSpan.FromMilliseconds(999));
        await Task.Delay(100, Ct);
        Assert.Empty(sink.AllBytes);

        time.Advance(TimeSpan.FromMilliseconds(1));
        await sink.WaitUntilAsync(s => s.AllBytes.Length > 0, "the batch after the interval");
        Assert.Equal("interval.m 1 5\n", sink.AllText);
    }

    [Fact]
    public async Task BatchSize_AFullBatchIsWrittenWithoutWaitingForTheInterval()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        await using LoopbackSink sink = LoopbackSink.Start();
        var options = new GraphiteClientOptions { TimeProvider = time, BatchInterval = TimeSpan.FromHours(1), BatchSizeBytes = 4096 };
        await using var client = await GraphiteClient.ConnectAsync("127.0.0.1", sink.Port, options: options, cancellationToken: Ct);
        await client.SendMultipleAsync([.. Enumerable.Range(0, 1000).Select(i => new Datapoint("size.metric.name", i, 1_700_000_000 + i))], cancellationToken: Ct);
        await sink.WaitUntilAsync(s => s.AllBytes.Length >= 4096 * 0.9, "the full batches");
        Assert.True(Lines(sink.AllBytes).Length < 1000, "the partial last batch must still wait for the interval");
    }

    [Theory]
    [InlineData(FullBufferPolicy.DropNewest)]
    [InlineData(FullBufferPolicy.DropOldest)]
    public async Task FullBuffer_DropPolicies_CountEveryDropAndKeepTheRightEnd(FullBufferPolicy policy)
    {
        int port = FreePorts.AllocateTcp();
        var options = new GraphiteClientOptions { FullBufferPolicy = policy, BatchSizeBytes = 4096, BufferCapacityBytes = 4 * 4096, LazyConnect = true };
        await using var client = await GraphiteClient.ConnectAsync("127.0.0.1", port, options: options, cancellationToken: Ct);
        const int Total = 5_000;
        for (int i = 0; i < Total; i++)
        {
            await client.SendAsync("policy.metric", i, 1_000_000 + i, Ct);
        }

        GraphiteClientStatistics stats = client.Statistics;
        Assert.True(stats.PointsDroppedBufferFull > 0);
        Assert.Equal(Total, stats.PointsAccepted + (policy == FullBufferPolicy.DropNewest ? stats.PointsDroppedBufferFull : 0));
        Assert.Equal(stats.PointsAccepted - (policy == FullBufferPolicy.DropOldest ? stats.PointsDroppedBufferFull : 0), stats.BufferedPoints);

        await using LoopbackSink sink = LoopbackSink.Start(port);
        await client.FlushAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await sink.WaitUntilAsync(s => Lines(s.AllBytes).Length == stats.BufferedPoints, "the kept points");
        int[] values = [.. Lines(sink.AllBytes).Select(l => int.Parse(l.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture))];
        Assert.Equal(Enumerable.Range(values[0], values.Length), values);
        if (policy == FullBufferPolicy.DropNewest)
        {
            Assert.Equal(0, values[0]);
        }
        else
        {
            Assert.Equal(Total - 1, values[^1]);
        }
    }

    [Fact]
    public async Task FullBuffer_WaitPolicy_SendWaitsForRoomAndLosesNothing()
    {
        int port = FreePorts.AllocateTcp();
        var options = new GraphiteClientOptions { FullBufferPolicy = FullBufferPolicy.Wait, BatchSizeBytes = 4096, BufferCapacityBytes = 2 * 4096, LazyConnect = true, ReconnectMaxDelay = TimeSpan.FromMilliseconds(100) };
        await using var client = await GraphiteClient.ConnectAsync("127.0.0.1", port, options: options, cancellationToken: Ct);
        Datapoint[] points = [.. Enumerable.Range(0, 3_000).Select(i => new Datapoint("wait.metric", i, 1_000_000 + i))];
        ValueTask send = client.SendMultipleAsync(points, cancellationToken: Ct);
        await Task.Delay(200, Ct);
        Assert.False(send.IsCompleted);
        Assert.False(client.TrySend("wait.metric", -1, 1));

        await using LoopbackSink sink = LoopbackSink.Start(port);
        await send;
        await client.FlushAsync(Ct);
        await sink.WaitUntilAsync(s => Lines(s.AllBytes).Length == 3_000, "all points");
        Assert.Equal(1, client.Statistics.PointsDroppedBufferFull); // only the TrySend, which never waits
    }

    [Fact]
    public async Task FullBuffer_WaitPolicy_GivesUpAfterTheTimeoutAndCountsTheDrops()
    {
        var options = new GraphiteClientOptions { FullBufferPolicy = FullBufferPolicy.Wait, FullBufferWaitTimeout = TimeSpan.FromMilliseconds(200), BatchSizeBytes = 4096, BufferCapacityBytes = 2 * 4096, DrainTimeout = TimeSpan.Zero };
        await using var client = GraphiteClient.Create("127.0.0.1", FreePorts.AllocateTcp(), options: options);
        Datapoint[] points = [.. Enumerable.Range(0, 3_000).Select(i => new Datapoint("wait.metric", i, 1_000_000 + i))];
        await client.SendMultipleAsync(points, cancellationToken: Ct);
        GraphiteClientStatistics stats = client.Statistics;
        Assert.True(stats.PointsDroppedBufferFull > 0);
        Assert.Equal(3_000, stats.PointsAccepted + stats.PointsDroppedBufferFull);
    }

    [Fact]
    public async Task Close_ServerUnreachable_ReturnsAfterTheDrainTimeoutAndReportsUndelivered()
    {
        var logs = new ListLoggerFactory();
        var options = new GraphiteClientOptions { DrainTimeout = TimeSpan.FromMilliseconds(300), LoggerFactory = logs };
        var client = GraphiteClient.Create("127.0.0.1", FreePorts.AllocateTcp(), options: options);
        await client.SendMultipleAsync([.. Enumerable.Range(0, 100).Select(i => new Datapoint("lost", i, 1 + i))], cancellationToken: Ct);
        await client.CloseAsync().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(100, client.Statistics.PointsUndelivered);
        Assert.Equal(1, logs.Count("Undelivered"));
        Assert.Contains(logs.Entries, e => e.Id.Name == "Undelivered" && e.Level == LogLevel.Error && e.Message.Contains("100 point(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CloseWithAZeroDrainTimeout_GivesUpAtOnceAndReportsUndelivered()
    {
        var options = new GraphiteClientOptions { DrainTimeout = TimeSpan.FromHours(1) };
        var client = GraphiteClient.Create("127.0.0.1", FreePorts.AllocateTcp(), options: options);
        await client.SendMultipleAsync([.. Enumerable.Range(0, 10).Select(i => new Datapoint("gone", i, 1 + i))], cancellationToken: Ct);
        await client.CloseAsync(TimeSpan.Zero).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(10, client.Statistics.PointsUndelivered);
        await using var other = GraphiteClient.Create("127.0.0.1", FreePorts.AllocateTcp(), options: new() { DrainTimeout = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = other.CloseAsync(TimeSpan.FromSeconds(-1)); });
    }

    [Fact]
    public async Task Udp_DatagramsNeverExceedTheLimitAndNeverSplitALine()
    {
        await using var sink = new UdpSink();
        var options = new GraphiteClientOptions { Transport = GraphiteTransport.Udp, MaxDatagramBytes = 512 };
        await using (var client = await GraphiteClient.ConnectAsync("127.0.0.1", sink.Port, options: options, cancellationToken: Ct))
        {
            await client.SendMultipleAsync([.. Enumerable.Range(0, 2_000).Select(i => new Datapoint($"udp.metric.{i % 37}", i * 0.25, 1_700_000_000 + i))], cancellationToken: Ct);
            await client.FlushAsync(Ct);
        }

        await WaitForAsync(() => sink.Datagrams.Sum(d => Lines(d).Length) == 2_000, "2000 lines over UDP");
        Assert.All(sink.Datagrams, d =>
        {
            Assert.InRange(d.Length, 1, 512);
            Assert.Equal((byte)'\n', d[^1]);
        });
        Assert.True(sink.Datagrams.Count >= 2_000 * 25 / 512);
    }

    [Fact]
    public async Task Udp_ALineLongerThanTheDatagram_IsRejectedAtTheEdge()
    {
        await using var sink = new UdpSink();
        var options = new GraphiteClientOptions { Transport = GraphiteTransport.Udp, MaxDatagramBytes = 128 };
        await using var client = await GraphiteClient.ConnectAsync("127.0.0.1", sink.Port, options: options, cancellationToken: Ct);
        // "x…x 1 1\n": 123 + 4 + 1 = 128 bytes fits exactly; one more character does not.
        await client.SendAsync(new string('x', 123), 1, 1, Ct);
        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await client.SendAsync(new string('x', 124), 1, 1, Ct));
        Assert.Contains("UDP datagram size", ex.Message, StringComparison.Ordinal);
        await client.FlushAsync(Ct);
        await WaitForAsync(() => sink.Datagrams.Count == 1, "the datagram");
        Assert.Equal(128, sink.Datagrams.Single().Length);
    }

    [Fact]
    public async Task Meter_CountsSentBytesDropsAndBuffer()
    {
        await using LoopbackSink sink = LoopbackSink.Start();
        // Other tests' clients run in parallel and report to meters of the same name: keep this client's destination only.
        var measurements = new System.Collections.Concurrent.ConcurrentBag<(string Name, long Value, string? Reason, object? Port)>();
        using var listener = new MeterListener();
        var meters = new HashSet<Meter>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "AioGraphite")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? reason = null;
            object? port = null;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "reason")
                {
                    reason = tag.Value as string;
                }
                else if (tag.Key == "server.port")
                {
                    port = tag.Value;
                }
            }

            measurements.Add((instrument.Name, value, reason, port));
        });
        listener.Start();

        await using (var client = await GraphiteClient.ConnectAsync("127.0.0.1", sink.Port, cancellationToken: Ct))
        {
            await client.SendMultipleAsync([.. Enumerable.Range(0, 100).Select(i => new Datapoint("meter.m", i, 1 + i))], cancellationToken: Ct);
            Assert.False(client.TrySend("bad name", 1));
            listener.RecordObservableInstruments();
            Assert.Contains(measurements, m => m.Name == "aiographite.buffer.points" && m.Value == 100);
            await client.FlushAsync(Ct);
        }

        await sink.WaitUntilAsync(s => s.Connections.Count > 0 && s.Connections.All(c => c.EndOfStream), "the client to close");
        var mine = measurements.Where(m => Equals(m.Port, sink.Port)).ToList();
        Assert.Equal(100, mine.Where(m => m.Name == "aiographite.points.sent").Sum(m => m.Value));
        Assert.Equal(sink.AllBytes.Length, mine.Where(m => m.Name == "aiographite.bytes.written").Sum(m => m.Value));
        Assert.Equal(1, mine.Where(m => m.Name == "aiographite.points.dropped" && m.Reason == "invalid").Sum(m => m.Value));
    }

    [Fact]
    public void Log_EveryEventIdAndNameIsUnique()
    {
        Type log = typeof(GraphiteClient).Assembly.GetType("AioGraphite.Diagnostics.GraphiteLog", throwOnError: true)!;
        var attributes = log.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .ToList();
        Assert.True(attributes.Count >= 8);
        Assert.Equal(attributes.Count, attributes.Select(a => a.EventId).Distinct().Count());
        Assert.Equal(attributes.Count, attributes.Select(a => a.EventName).Distinct().Count());
    }

    [Fact]
    public async Task SixteenConcurrentProducers_EveryPointArrivesExactlyOnce()
    {
        await using LoopbackSink sink = LoopbackSink.Start();
        await using (var client = await GraphiteClient.ConnectAsync("127.0.0.1", sink.Port, options: new() { FullBufferPolicy = FullBufferPolicy.Wait }, cancellationToken: Ct))
        {
            await Task.WhenAll(Enumerable.Range(0, 16).Select(p => Task.Run(async () =>
            {
                for (int i = 0; i < 10_000; i++)
                {
                    if (i % 2 == 0)
                    {
                        await client.SendAsync($"c.p{p}", i, 1 + i, Ct);
                    }
                    else
                    {
                        Assert.True(client.TrySend($"c.p{p}", i, 1 + i));
                    }
                }
            }, Ct)));
        }

        await sink.WaitUntilAsync(s => s.Connections.Count > 0 && s.Connections.All(c => c.EndOfStream), "the client to close");
        string[] lines = Lines(sink.AllBytes);
        Assert.Equal(160_000, lines.Length);
        Assert.Equal(160_000, lines.Distinct(StringComparer.Ordinal).Count());
    }

    private static Task WaitForAsync(Func<bool> condition, string what) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(10), () => what);
}
