using AioGraphite.Extensions.Tests.Infrastructure;
using AioGraphite.Query;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Extensions.Tests.Query;

/// <summary>What is sent to a real carbon-cache, read back through a real graphite-web.</summary>
public sealed class GraphiteQueryClientWebTests(SharedServers servers)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Sends and waits until the points are written before closing: closing right after a send can lose the
    /// points (a race in the core's SenderLoop, reported to the core's owner), and these tests are about reading.
    /// </summary>
    private async Task SendAsync(IEnumerable<Datapoint> points, CancellationToken ct)
    {
        await using GraphiteClient client = await GraphiteClient.ConnectAsync("127.0.0.1", servers.Carbon.LinePort, cancellationToken: ct);
        await client.SendMultipleAsync(points, cancellationToken: ct);
        await client.FlushAsync(ct);
    }

    [Fact]
    public async Task RenderAsync_ReturnsExactlyWhatWasSentToCarbon()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string prefix = SharedServers.UniquePrefix("query");
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        double[] values = [1.25, -3.5, 1e-7, 123456789.125, 0, 42, double.Epsilon, -1.7976931348623157e308, 0.1, 1.0 / 3];
        var sent = values.Select((v, i) => (Timestamp: now - 30 + i, Value: v)).ToList();
        await SendAsync(sent.Select(p => new Datapoint(prefix + ".values", p.Value, p.Timestamp)), ct);

        await servers.Carbon.WaitForPointsAsync(prefix + ".values", values.Length, Timeout);
        GraphiteWebServer web = await servers.GetGraphiteWebAsync();
        using HttpClient http = web.CreateHttpClient();
        var query = new GraphiteQueryClient(http);

        IReadOnlyList<GraphiteSeries> series = await query.RenderAsync(prefix + ".values", DateTimeOffset.FromUnixTimeSeconds(now - 31), DateTimeOffset.FromUnixTimeSeconds(now), ct);

        GraphiteSeries only = Assert.Single(series);
        Assert.Equal(prefix + ".values", only.Target);
        Assert.Equal(sent.Select(p => new SeriesPoint(p.Timestamp, p.Value)), only.Datapoints);
        Assert.Equal(prefix + ".values", only.Tags["name"]);

        // graphite-web's own time syntax and a function over a wildcard
        IReadOnlyList<GraphiteSeries> summed = await query.RenderAsync($"sumSeries({prefix}.*)", "-5min", "now", ct);
        Assert.Equal(values.Sum(), Assert.Single(summed).Datapoints.Sum(p => p.Value), 6);
    }

    [Fact]
    public async Task FindMetricsAsync_ListsBranchesAndLeaves()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string prefix = SharedServers.UniquePrefix("find");
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await SendAsync([new(prefix + ".cpu", 1, now), new(prefix + ".disk.sda", 2, now), new(prefix + ".disk.sdb", 3, now)], ct);

        GraphiteWebServer web = await servers.GetGraphiteWebAsync();
        using HttpClient http = web.CreateHttpClient();
        var query = new GraphiteQueryClient(http);

        var nodes = await Poll.UntilAsync(() => query.FindMetricsAsync(prefix + ".*", ct), n => n.Count == 2, Timeout, "find " + prefix + ".*");
        Assert.Equal(
            [new GraphiteMetricNode(prefix + ".cpu", "cpu", IsLeaf: true, HasChildren: false), new GraphiteMetricNode(prefix + ".disk", "disk", IsLeaf: false, HasChildren: true)],
            nodes.OrderBy(n => n.Path, StringComparer.Ordinal));
        var disks = await Poll.UntilAsync(() => query.FindMetricsAsync(prefix + ".disk.*", ct), n => n.Count == 2, Timeout, "find disks");
        Assert.Equal(["sda", "sdb"], disks.Select(n => n.Name).Order(StringComparer.Ordinal));
        var viaWildcard = await query.FindMetricsAsync(prefix + ".*.sda", ct);
        Assert.Equal([prefix + ".disk.sda"], viaWildcard.Select(n => n.Path)); // full paths, not the query's wildcards
        Assert.Empty(await query.FindMetricsAsync(prefix + ".nothing.*", ct));
    }

    [Fact]
    public async Task RenderPngAsync_ReturnsAPngGraph()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string prefix = SharedServers.UniquePrefix("png");
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await SendAsync(Enumerable.Range(0, 60).Select(i => new Datapoint(prefix + ".sine", Math.Sin(i / 5.0) * 10, now - 60 + i)), ct);

        await servers.Carbon.WaitForPointsAsync(prefix + ".sine", 60, Timeout);
        GraphiteWebServer web = await servers.GetGraphiteWebAsync();
        using HttpClient http = web.CreateHttpClient();

        byte[] png = await new GraphiteQueryClient(http).RenderPngAsync(prefix + ".sine", "-2min", "now", 640, 320, ct);

        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.True(png.Length > 1024, $"PNG is only {png.Length} bytes");
        // IHDR: width and height, big-endian, at offset 16
        Assert.Equal(640, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(320, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    [Fact]
    public async Task RenderAsync_OfAnUnknownMetric_IsEmpty()
    {
        GraphiteWebServer web = await servers.GetGraphiteWebAsync();
        using HttpClient http = web.CreateHttpClient();

        Assert.Empty(await new GraphiteQueryClient(http).RenderAsync("no.such.metric.anywhere", cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AnInvalidTarget_FailsWithTheStatusAndTheServersMessage()
    {
        GraphiteWebServer web = await servers.GetGraphiteWebAsync();
        using HttpClient http = web.CreateHttpClient();

        var ex = await Assert.ThrowsAsync<GraphiteQueryException>(() => new GraphiteQueryClient(http).RenderAsync("noSuchFunction(a.b)", cancellationToken: TestContext.Current.CancellationToken));

        Assert.NotNull(ex.StatusCode);
        Assert.Contains(((int)ex.StatusCode!).ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
        Assert.Contains("render?target=noSuchFunction", ex.Message, StringComparison.Ordinal);
    }
}
