using System.Net;
using System.Text;
using AioGraphite.Query;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Extensions.Tests.Query;

/// <summary>Requests, parsing and errors, against canned answers.</summary>
public sealed class GraphiteQueryClientTests
{
    [Fact]
    public async Task RenderAsync_SendsTheRenderQuery_AndParsesSeries()
    {
        var handler = new StubHandler(HttpStatusCode.OK, """
            [{"target": "a.b", "tags": {"name": "a.b"}, "datapoints": [[1.5, 100], [null, 101], [-2, 102]]},
             {"target": "a.c", "datapoints": []}]
            """);
        var query = new GraphiteQueryClient(handler.Client());

        var series = await query.RenderAsync("a.{b,c}", "-10min", "now", TestContext.Current.CancellationToken);

        Assert.Equal("http://graphite.test/gw/render?target=a.%7Bb%2Cc%7D&from=-10min&until=now&format=json&noNullPoints=true", handler.Requests.Single());
        Assert.Equal(2, series.Count);
        Assert.Equal([new SeriesPoint(100, 1.5), new SeriesPoint(102, -2)], series[0].Datapoints);
        Assert.Equal("a.b", series[0].Tags["name"]);
        Assert.Empty(series[1].Datapoints);
        Assert.Empty(series[1].Tags);
    }

    [Fact]
    public async Task RenderAsync_WithInstants_SendsUnixSeconds()
    {
        var handler = new StubHandler(HttpStatusCode.OK, "[]");

        await new GraphiteQueryClient(handler.Client()).RenderAsync("x;tag=v", DateTimeOffset.FromUnixTimeSeconds(1700000000), DateTimeOffset.FromUnixTimeSeconds(1700000600), TestContext.Current.CancellationToken);

        Assert.Equal("http://graphite.test/gw/render?target=x%3Btag%3Dv&from=1700000000&until=1700000600&format=json&noNullPoints=true", handler.Requests.Single());
    }

    [Fact]
    public async Task FindMetricsAsync_ParsesTheJsonFormatsFullPaths()
    {
        var handler = new StubHandler(HttpStatusCode.OK, """
            [{"path": "s.cpu", "is_leaf": true, "intervals": [{"start": 1, "end": 2}]},
             {"path": "s.disk", "is_leaf": false}]
            """);

        var nodes = await new GraphiteQueryClient(handler.Client()).FindMetricsAsync("s.*", TestContext.Current.CancellationToken);

        Assert.Equal("http://graphite.test/gw/metrics/find?format=json&query=s.%2A", handler.Requests.Single());
        Assert.Equal([new GraphiteMetricNode("s.cpu", "cpu", true, false), new GraphiteMetricNode("s.disk", "disk", false, true)], nodes);
    }

    [Fact]
    public async Task AnErrorStatus_ThrowsWithTheStatusAndABodyExcerpt()
    {
        string body = "<html>\n<h1>Server Error (500)</h1>\n  <p>" + new string('x', 2000) + "</p></html>";
        var handler = new StubHandler(HttpStatusCode.InternalServerError, body);

        var ex = await Assert.ThrowsAsync<GraphiteQueryException>(() => new GraphiteQueryClient(handler.Client()).RenderAsync("a.b", cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.InternalServerError, ex.StatusCode);
        Assert.StartsWith("<html> <h1>Server Error (500)</h1> <p>xxx", ex.ResponseExcerpt, StringComparison.Ordinal);
        Assert.Equal(501, ex.ResponseExcerpt!.Length);
        Assert.StartsWith("graphite-web answered GET render?target=a.b&from=-1h&until=now&format=json&noNullPoints=true with 500 Internal Server Error: <html> <h1>Server Error (500)</h1>", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotJson_ThrowsWithABodyExcerpt()
    {
        var handler = new StubHandler(HttpStatusCode.OK, "<html>login page</html>");

        var ex = await Assert.ThrowsAsync<GraphiteQueryException>(() => new GraphiteQueryClient(handler.Client()).FindMetricsAsync("*", TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.OK, ex.StatusCode);
        Assert.Contains("not the expected JSON", ex.Message, StringComparison.Ordinal);
        Assert.Equal("<html>login page</html>", ex.ResponseExcerpt);
    }

    [Fact]
    public async Task RenderPngAsync_WhenTheAnswerIsNotAPng_Throws()
    {
        var handler = new StubHandler(HttpStatusCode.OK, "[]", "application/json");

        var ex = await Assert.ThrowsAsync<GraphiteQueryException>(() => new GraphiteQueryClient(handler.Client()).RenderPngAsync("a", "-1h", "now", 100, 50, TestContext.Current.CancellationToken));

        Assert.Contains("application/json instead of a PNG", ex.Message, StringComparison.Ordinal);
        Assert.Equal("http://graphite.test/gw/render?target=a&from=-1h&until=now&format=png&width=100&height=50&lineMode=connected", handler.Requests.Single());
    }

    [Fact]
    public async Task AnUnreachableServer_ThrowsGraphiteQueryException()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{FreePorts.AllocateTcp()}/") };

        var ex = await Assert.ThrowsAsync<GraphiteQueryException>(() => new GraphiteQueryClient(http).RenderAsync("a", cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("Could not reach graphite-web", ex.Message, StringComparison.Ordinal);
        Assert.Null(ex.StatusCode);
        Assert.IsType<HttpRequestException>(ex.InnerException);
    }

    [Fact]
    public async Task Cancellation_IsNotWrapped()
    {
        var handler = new StubHandler(HttpStatusCode.OK, "[]") { Delay = TimeSpan.FromSeconds(30) };
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new GraphiteQueryClient(handler.Client()).RenderAsync("a", cancellationToken: cts.Token));
    }

    [Fact]
    public void Constructor_RequiresABaseAddress()
    {
        using var http = new HttpClient();

        var ex = Assert.Throws<ArgumentException>(() => new GraphiteQueryClient(http));
        Assert.Contains("BaseAddress", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "-1h", "now")]
    [InlineData("a", " ", "now")]
    [InlineData("a", "-1h", "")]
    public async Task EmptyArguments_AreRejected(string target, string from, string until)
    {
        var query = new GraphiteQueryClient(new StubHandler(HttpStatusCode.OK, "[]").Client());

        await Assert.ThrowsAnyAsync<ArgumentException>(() => query.RenderAsync(target, from, until, TestContext.Current.CancellationToken));
    }

    private sealed class StubHandler(HttpStatusCode status, string body, string mediaType = "text/html") : HttpMessageHandler
    {
        public List<string> Requests { get; } = [];

        public TimeSpan Delay { get; init; }

        public HttpClient Client() => new(this) { BaseAddress = new Uri("http://graphite.test/gw/") };

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request.RequestUri!.AbsoluteUri);
            await Task.Delay(Delay, cancellationToken);
            return new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };
        }
    }
}
