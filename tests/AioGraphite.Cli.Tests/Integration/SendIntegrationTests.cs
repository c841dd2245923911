using System.Globalization;
using Xunit;

namespace AioGraphite.Cli.Tests.Integration;

/// <summary><c>aiographite send</c> against a real carbon-cache: the point is stored, exactly.</summary>
public sealed class SendIntegrationTests(CarbonFixture carbon)
{
    [Theory]
    [InlineData("plaintext", 42.125)]
    [InlineData("pickle", -0.1)]
    [InlineData("udp", 1e-7)]
    public async Task Send_EachProtocol_StoresTheExactValueAndTimestamp(string protocol, double value)
    {
        string metric = $"test.cli.send.{protocol}";
        long timestamp = CarbonFixture.Now() - 30;
        int port = carbon.PortFor(protocol);

        CliResult result = await CliRun.RunAsync(
            ["send", metric, value.ToString("R", CultureInfo.InvariantCulture), Text(timestamp), "--protocol", protocol, "--port", Text(port)]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Error);
        Assert.Empty(result.Out);
        var points = await carbon.Server.WaitForPointsAsync(metric, 1, CarbonFixture.StoreTimeout);
        Assert.Equal([(timestamp, value)], points);
    }

    [Fact]
    public async Task Send_WithTags_StoresTheTaggedSeries()
    {
        long timestamp = CarbonFixture.Now() - 20;
        CliResult result = await CliRun.RunAsync(
            ["send", "test.cli.tagged", "81", Text(timestamp), "--tag", "host=web1", "--tag", "dc=eu", "--port", Text(carbon.Server.LinePort)]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var points = await carbon.Server.WaitForPointsAsync("test.cli.tagged;dc=eu;host=web1", 1, CarbonFixture.StoreTimeout);
        Assert.Equal([(timestamp, 81.0)], points);
    }

    [Fact]
    public async Task Send_WithoutTimestamp_StoresThePointAtNow_AndHostComesFromGraphiteHost()
    {
        long before = CarbonFixture.Now();
        CliResult result = await CliRun.RunAsync(
            ["send", "test.cli.now", "7", "--port", Text(carbon.Server.LinePort)],
            environment: new Dictionary<string, string> { ["GRAPHITE_HOST"] = "localhost" });
        long after = CarbonFixture.Now();

        Assert.True(result.ExitCode == 0, result.ToString());
        var point = Assert.Single(await carbon.Server.WaitForPointsAsync("test.cli.now", 1, CarbonFixture.StoreTimeout));
        Assert.InRange(point.Timestamp, before, after);
        Assert.Equal(7.0, point.Value);
    }

    private static string Text(long number) => number.ToString(CultureInfo.InvariantCulture);
}
