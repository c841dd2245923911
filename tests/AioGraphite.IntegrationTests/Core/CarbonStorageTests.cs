using System.Net.Sockets;
using System.Text;
using AioGraphite.IntegrationTests.Infrastructure;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Core;

/// <summary>What AioGraphite sends is what a real carbon-cache stores: values and timestamps exact, bad input leaves no trace.</summary>
public sealed class CarbonStorageTests(SharedCarbonCache carbon) : IClassFixture<SharedCarbonCache>
{
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CarbonCacheServer Server => carbon.Server;

    // Values that a lossy formatter would change: shortest round-trip text must give carbon the very same double.
    private static readonly double[] TrickyValues = [0.1, 1.0 / 3, -123.456, 5e-324, 1e300, -0.0, 42, 1e16 + 2, 2.5e-7, double.MaxValue, 0.30000000000000004];

    public static TheoryData<string> Protocols() => ["plaintext", "pickle"];

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task SendMultipleAsync_TrickyValues_AreStoredBitForBitWithTheirTimestamps(string protocol)
    {
        long now = Wire.Now();
        var points = TrickyValues.Select((v, i) => new Datapoint($"it.exact.{protocol}.v{i}", v, now - 100 + i)).ToArray();
        IGraphiteProtocol p = protocol == "pickle" ? new PickleProtocol() : new PlaintextProtocol();
        int port = protocol == "pickle" ? Server.PicklePort : Server.LinePort;
        await using (var client = await GraphiteClient.ConnectAsync("127.0.0.1", port, p, cancellationToken: Ct))
        {
            await client.SendMultipleAsync(points, cancellationToken: Ct);
        }

        foreach (Datapoint point in points)
        {
            var stored = await Server.WaitForPointsAsync(point.Metric, 1, StoreTimeout);
            var (ts, value) = Assert.Single(stored);
            Assert.Equal(point.Timestamp, ts);
            Assert.Equal(BitConverter.DoubleToInt64Bits(point.Value), BitConverter.DoubleToInt64Bits(value));
        }
    }

    [Fact]
    public async Task SendAsync_OriginalsExample_TenPointsSixtySecondsApartAreStored()
    {
        // The original's documented example: send("yun_test.aiographite", i, timestamp + 60 * i) for i in range(10).
        long start = Wire.Now() - 900;
        await using (var client = await GraphiteClient.ConnectAsync("127.0.0.1", Server.LinePort, new PlaintextProtocol(), cancellationToken: Ct))
        {
            for (int i = 0; i < 10; i++)
            {
                await client.SendAsync("it.yun_test.aiographite", i, start + (60 * i), Ct);
            }
        }

        var stored = await Server.WaitForPointsAsync("it.yun_test.aiographite", 10, StoreTimeout);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (start + (60 * i), (double)i)), stored);
    }

    [Fact]
    public async Task CleanAndJoinMetricParts_AnyTextBecomesAStoredSeries()
    {
        long ts = Wire.Now() - 50;
        await using var client = await GraphiteClient.ConnectAsync("127.0.0.1", Server.LinePort, cancellationToken: Ct);
        string metric = "it." + client.CleanAndJoinMetricParts(["sproc performance", "velo@zillow.com", "caf\u00e9 \u4e2d\u6587"]);
        await client.SendAsync(metric, 7.5, ts, Ct);
        await client.FlushAsync(Ct);
        var (storedTs, value) = Assert.Single(await Server.WaitForPointsAsync(metric, 1, StoreTimeout));
        Assert.Equal((ts, 7.5), (storedTs, value));
        Assert.Equal(["sproc performance", "velo@zillow.com", "caf\u00e9 \u4e2d\u6587"], metric.Split('.').Skip(1).Select(GraphiteEncoder.Decode));
    }

    [Fact]
    public async Task PickleMessageOverOneMebibyte_IsSplitAndCarbonStoresEveryPoint()
    {
        long start = Wire.Now() - 1500;
        Datapoint[] points = [.. Enumerable.Range(0, 40_000).Select(i => new Datapoint($"it.split.m{i % 40:D2}", i * 0.5, start + (i / 40)))];
        byte[] message = new PickleProtocol().GenerateMessage(points);
        Assert.True(message.Length > 1 << 20, "the message must exceed carbon's frame limit");
        await Wire.SendTcpAsync(Server.PicklePort, message);
        for (int m = 0; m < 40; m++)
        {
            var stored = await Server.WaitForPointsAsync($"it.split.m{m:D2}", 1000, StoreTimeout);
            Assert.Equal(points.Where(p => p.Metric == $"it.split.m{m:D2}").Select(p => (p.Timestamp!.Value, p.Value)), stored);
        }
    }

    [Fact]
    public async Task RejectedNames_LeaveNoTraceInCarbonAndTheConnectionKeepsWorking()
    {
        long ts = Wire.Now() - 30;
        string[] bad = ["it.evil.injected 1 2\nit.evil.second", "it.evil space", "it.evil\ttab", "it.evil\rcr", "it.evil\0nul", "it.evil\u00a0nbsp", "it.evil;bad!tag=x", "it.evil;t=~v"];
        await using var client = await GraphiteClient.ConnectAsync("127.0.0.1", Server.LinePort, cancellationToken: Ct);
        foreach (string name in bad)
        {
            var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await client.SendAsync(name, 1, ts, Ct));
            Assert.Contains("was rejected", ex.Message, StringComparison.Ordinal);
        }

        await Assert.ThrowsAsync<ArgumentException>(async () => await client.SendAsync("it.evil.nan", double.NaN, ts, Ct));
        await client.SendAsync("it.evil.after", 3, ts, Ct);
        await client.FlushAsync(Ct);
        Assert.Single(await Server.WaitForPointsAsync("it.evil.after", 1, StoreTimeout));
        Assert.DoesNotContain(Server.AllWhisperFiles(), f => f.Contains("evil", StringComparison.Ordinal) && !f.EndsWith("after.wsp", StringComparison.Ordinal));
        Assert.DoesNotContain("invalid line", Server.ReadLog("listener.log"), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task LineLimit_CarbonDropsTheConnectionPastTheLimitThatTheClientEnforces()
    {
        // Proof that the 16384-byte limit is carbon's: a raw 16385-byte line kills the connection and the valid line
        // after it is lost, while a 16384-byte line does not. The client rejects the former before anything is sent.
        long ts = Wire.Now() - 20;
        // Tagged names: an untagged name that long would have a path node no file system takes (refused for that first).
        string Line(int bytes, string tag) => $"it.limit.{tag};x={new string('x', bytes - $"it.limit.{tag};x= 1 {ts}".Length)} 1 {ts}";
        string ok = Line(16384, "ok");
        string tooLong = Line(16385, "long");
        Assert.Equal(16384, Encoding.ASCII.GetByteCount(ok));

        await Wire.SendLinesAsync(Server.LinePort, $"{ok}\nit.limit.after_ok 1 {ts}\n");
        await Wire.SendLinesAsync(Server.LinePort, $"{tooLong}\nit.limit.after_long 1 {ts}\n");
        Assert.Single(await Server.WaitForPointsAsync("it.limit.after_ok", 1, StoreTimeout));
        await Task.Delay(1500, Ct);
        Assert.Empty(await Server.ReadPointsAsync("it.limit.after_long"));

        await using var client = await GraphiteClient.ConnectAsync("127.0.0.1", Server.LinePort, cancellationToken: Ct);
        string tooLongName = tooLong[..tooLong.IndexOf(' ', StringComparison.Ordinal)];
        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await client.SendAsync(tooLongName, 1, ts, Ct));
        Assert.Contains("16385 bytes", ex.Message, StringComparison.Ordinal);
        await client.SendAsync("it.limit.client_after", 1, ts, Ct);
        await client.FlushAsync(Ct);
        Assert.Single(await Server.WaitForPointsAsync("it.limit.client_after", 1, StoreTimeout));
    }

    [Fact]
    public async Task Udp_PointsAreStored()
    {
        long ts = Wire.Now() - 40;
        var options = new GraphiteClientOptions { Transport = GraphiteTransport.Udp };
        await using (var client = await GraphiteClient.ConnectAsync("127.0.0.1", Server.UdpPort, options: options, cancellationToken: Ct))
        {
            await client.SendMultipleAsync([.. Enumerable.Range(0, 300).Select(i => new Datapoint($"it.udp.m{i % 3}", i + 0.5, ts - (i / 3)))], cancellationToken: Ct);
        }

        for (int m = 0; m < 3; m++)
        {
            var stored = await Server.WaitForPointsAsync($"it.udp.m{m}", 100, StoreTimeout);
            Assert.Equal(100, stored.Count);
        }
    }

    [Fact]
    public async Task TaggedSeries_AreStoredAtCarbonsTaggedPath()
    {
        long ts = Wire.Now() - 60;
        var options = new GraphiteClientOptions { MetricPrefix = "it.tags", DefaultTags = new Dictionary<string, string> { ["env"] = "test" } };
        await using (var client = await GraphiteClient.ConnectAsync("127.0.0.1", Server.PicklePort, new PickleProtocol(), options, Ct))
        {
            await client.SendAsync(GraphiteTags.Format("cpu", ("host", "web1"), ("dc", "eu")), 12.5, ts, Ct);
            await client.SendAsync("mem", 3, ts, Ct);
        }

        string cpuPath = Server.WhisperPath("it.tags.cpu;dc=eu;env=test;host=web1");
        Assert.Contains("_tagged", cpuPath, StringComparison.Ordinal);
        Assert.Equal([(ts, 12.5)], await Server.WaitForPointsAsync("it.tags.cpu;dc=eu;env=test;host=web1", 1, StoreTimeout));
        Assert.Equal([(ts, 3.0)], await Server.WaitForPointsAsync("it.tags.mem;env=test", 1, StoreTimeout));
    }

    [Fact]
    public async Task ConnectAsync_CarbonNotListening_FailsNamingHostPortAndError()
    {
        int port = FreePorts.AllocateTcp();
        var ex = await Assert.ThrowsAsync<GraphiteException>(() => GraphiteClient.ConnectAsync("127.0.0.1", port, cancellationToken: Ct));
        Assert.Equal(SocketError.ConnectionRefused, ex.SocketError);
        Assert.Contains($"127.0.0.1:{port}", ex.Message, StringComparison.Ordinal);
    }
}
