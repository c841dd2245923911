using System.Globalization;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Cli.Tests.Integration;

/// <summary><c>pipe</c> rides out a carbon crash and restart: the library's reconnect and replay, nothing lost.</summary>
public sealed class PipeReconnectTests
{
    [Fact]
    public async Task Pipe_CarbonKilledAndRestartedMidStream_EveryPointIsStored_ExitsZero()
    {
        await using CarbonCacheServer server = await CarbonCacheServer.StartAsync();
        const string metric = "test.cli.pipe.restart";
        long start = CarbonFixture.Now() - 400;
        var input = new ChannelTextReader();
        Task<CliResult> run = CliRun.RunAsync(
            ["pipe", "--port", server.LinePort.ToString(CultureInfo.InvariantCulture), "--timeout", "30"],
            input: () => input);

        WriteLines(input, metric, start, 0, 100);
        await server.WaitForPointsAsync(metric, 100, CarbonFixture.StoreTimeout);

        await server.KillAsync();
        WriteLines(input, metric, start, 100, 200);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        await server.StartAgainAsync();
        WriteLines(input, metric, start, 200, 300);
        input.Complete();

        CliResult result = await run;
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("aiographite pipe: 300 lines read, 300 points delivered, 0 invalid in ", result.SingleErrorLine(), StringComparison.Ordinal);
        Assert.Contains("reconnected", result.Error, StringComparison.Ordinal);
        var points = await server.WaitForPointsAsync(metric, 300, CarbonFixture.StoreTimeout);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (start + i, (double)i)), points);
    }

    private static void WriteLines(ChannelTextReader input, string metric, long start, int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            input.Write(string.Create(CultureInfo.InvariantCulture, $"{metric} {i} {start + i}\n"));
        }
    }
}
