using System.Globalization;
using System.Text;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Cli.Tests.Integration;

/// <summary>
/// <c>aiographite pipe</c> with default options: a line carbon would read and then lose (whisper cannot store it) is
/// counted invalid, and every valid point, of the same series too, is stored.
/// </summary>
public sealed class PipeStorageLimitTests(CarbonFixture carbon)
{
    private const int PointsPerSeries = 40;
    private const int Series = 3;

    [Fact]
    public async Task Pipe_MillisecondTimestampAmongFortyPointsOfItsSeries_IsCountedInvalid_EveryValidPointIsStored_ExitsOne()
    {
        // Before the fix: "121 lines read, 121 points delivered, 0 invalid", exit 0, and carbon lost series s0 (whisper
        // failed on the timestamp and carbon dropped every cached point of the series with it).
        long start = CarbonFixture.Now() - 300;
        (CliResult result, int badLine, IReadOnlyList<ExpectedSeries> expected) =
            await PipeWithOneBadLineAsync("test.cli.limits.ms", start, k => $"test.cli.limits.ms.s0 7.5 {(start + k) * 1000}");

        StoredPointsReport report = await carbon.Server.WaitForAllStoredAsync(expected, CarbonFixture.StoreTimeout, TestContext.Current.CancellationToken);
        Assert.True(report.Complete, report + "\n" + result);
        Assert.True(result.ExitCode == 1, result.ToString());
        result.NoStackTrace();
        Assert.Equal(2, result.ErrorLines.Length);
        Assert.StartsWith($"aiographite pipe: line {badLine}: Datapoint 'test.cli.limits.ms.s0' was rejected: its timestamp {(start + (PointsPerSeries / 2)) * 1000} (value 7.5) ", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Contains("looks like milliseconds; divide by 1000", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.StartsWith("aiographite pipe: 121 lines read, 120 points delivered, 1 invalid in ", result.ErrorLines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pipe_PathNodeOf300Bytes_IsCountedInvalid_TheOtherPointsAreStored_ExitsOne()
    {
        // Before the fix: exit 0 and "0 invalid", while carbon failed to create the file ("File name too long").
        long start = CarbonFixture.Now() - 400;
        string longNode = new('n', 300);
        (CliResult result, int badLine, IReadOnlyList<ExpectedSeries> expected) =
            await PipeWithOneBadLineAsync("test.cli.limits.node", start, k => $"test.cli.limits.node.{longNode}.leaf 1 {start + k}");

        StoredPointsReport report = await carbon.Server.WaitForAllStoredAsync(expected, CarbonFixture.StoreTimeout, TestContext.Current.CancellationToken);
        Assert.True(report.Complete, report + "\n" + result);
        Assert.True(result.ExitCode == 1, result.ToString());
        result.NoStackTrace();
        Assert.Equal(2, result.ErrorLines.Length);
        Assert.StartsWith($"aiographite pipe: line {badLine}: Datapoint 'test.cli.limits.node.nnn", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Contains("300 bytes", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.StartsWith("aiographite pipe: 121 lines read, 120 points delivered, 1 invalid in ", result.ErrorLines[1], StringComparison.Ordinal);
        Assert.DoesNotContain(carbon.Server.AllWhisperFiles(), f => f.Contains("nnnn", StringComparison.Ordinal));
    }

    /// <summary>Pipes <see cref="Series"/> series of <see cref="PointsPerSeries"/> points, with one bad line in the middle.</summary>
    private async Task<(CliResult Result, int BadLine, IReadOnlyList<ExpectedSeries> Expected)> PipeWithOneBadLineAsync(string prefix, long start, Func<int, string> badLine)
    {
        var expected = ExpectedSeries.Grid(Series, PointsPerSeries, start, m => $"{prefix}.s{m}", (m, k) => (m * 1000) + k + 0.25);
        var text = new StringBuilder();
        int lines = 0;
        int bad = 0;
        for (int k = 0; k < PointsPerSeries; k++)
        {
            foreach (ExpectedSeries s in expected)
            {
                text.Append(CultureInfo.InvariantCulture, $"{s.Metric} {s.Points[k].Value} {s.Points[k].Timestamp}\n");
                lines++;
            }

            if (k == PointsPerSeries / 2)
            {
                text.Append(badLine(k)).Append('\n');
                bad = ++lines;
            }
        }

        CliResult result = await CliRun.RunAsync(["pipe", "--port", carbon.Server.LinePort.ToString(CultureInfo.InvariantCulture)], standardInput: text.ToString());
        return (result, bad, expected);
    }
}
