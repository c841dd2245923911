using System.Globalization;
using System.Text;
using Xunit;

namespace AioGraphite.Cli.Tests.Integration;

/// <summary><c>aiographite pipe</c> against a real carbon-cache.</summary>
public sealed class PipeIntegrationTests(CarbonFixture carbon)
{
    private const int Metrics = 10;
    private const int PointsPerMetric = 1_000;

    [Fact]
    public async Task Pipe_File_TenThousandValidAndThreeInvalidLines_StoresEveryValidPoint_NamesTheInvalidLines_ExitsOne()
    {
        long start = CarbonFixture.Now() - PointsPerMetric - 60;
        var text = new StringBuilder();
        int lineNumber = 0;
        var invalidLines = new List<int>();
        void Invalid(string line)
        {
            text.Append(line).Append('\n');
            invalidLines.Add(++lineNumber);
        }

        Invalid("test.cli.pipe.broken");
        for (int i = 0; i < Metrics * PointsPerMetric; i++)
        {
            if (i == 5_000)
            {
                Invalid("test.cli.pipe.m0 not-a-number 1700000000");
            }

            text.Append(CultureInfo.InvariantCulture, $"test.cli.pipe.m{i % Metrics} {Value(i)} {start + (i / Metrics)}\n");
            lineNumber++;
        }

        Invalid("test.cli.pipe.m0 1 2 3");
        string file = Path.Combine(Path.GetTempPath(), $"aiographite-cli-pipe-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(file, text.ToString(), TestContext.Current.CancellationToken);
        try
        {
            CliResult result = await CliRun.RunAsync(["pipe", "--input", file, "--port", Port(carbon.Server.LinePort)]);

            Assert.True(result.ExitCode == 1, result.ToString());
            result.NoStackTrace();
            Assert.Equal([1, 5_002, 10_003], invalidLines);
            Assert.Equal(
                [
                    "aiographite pipe: line 1: expected 'metric value [timestamp]' but found 1 field",
                    "aiographite pipe: line 5002: value 'not-a-number' is not a number",
                    "aiographite pipe: line 10003: expected 'metric value [timestamp]' but found 4 fields",
                ],
                result.ErrorLines[..3]);
            Assert.StartsWith("aiographite pipe: 10,003 lines read, 10,000 points delivered, 3 invalid in ", result.ErrorLines[3], StringComparison.Ordinal);
            Assert.Equal(4, result.ErrorLines.Length);

            for (int m = 0; m < Metrics; m++)
            {
                var points = await carbon.Server.WaitForPointsAsync($"test.cli.pipe.m{m}", PointsPerMetric, CarbonFixture.StoreTimeout);
                var expected = Enumerable.Range(0, PointsPerMetric).Select(k => (start + k, Value((k * Metrics) + m)));
                Assert.Equal(expected, points);
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("pickle")]
    [InlineData("udp")]
    public async Task Pipe_StandardInput_OverPickleAndUdp_StoresEveryPoint_ExitsZero(string protocol)
    {
        const int count = 300;
        string metric = $"test.cli.pipe.stdin.{protocol}";
        long start = CarbonFixture.Now() - count - 60;
        string input = string.Concat(Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{metric}\t{Value(i)}  {start + i}\r\n")));
        int port = protocol == "pickle" ? carbon.Server.PicklePort : carbon.Server.UdpPort;

        CliResult result = await CliRun.RunAsync(["pipe", "--protocol", protocol, "--port", Port(port)], standardInput: input);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("aiographite pipe: 300 lines read, 300 points delivered, 0 invalid in ", result.SingleErrorLine(), StringComparison.Ordinal);
        var points = await carbon.Server.WaitForPointsAsync(metric, count, CarbonFixture.StoreTimeout);
        Assert.Equal(Enumerable.Range(0, count).Select(i => (start + i, Value(i))), points);
    }

    [Fact]
    public async Task Pipe_InvalidMetricName_IsReportedWithItsLineNumber_AndTheRestIsStored()
    {
        long timestamp = CarbonFixture.Now() - 40;
        string input = $"test.cli.pipe.named 1 {timestamp}\nbad;;tag 2 {timestamp}\ntest.cli.pipe.named2 3 {timestamp}\n";

        CliResult result = await CliRun.RunAsync(["pipe", "--port", Port(carbon.Server.LinePort)], standardInput: input);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith("aiographite pipe: line 2: Datapoint 'bad;;tag' was rejected", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Equal([(timestamp, 1.0)], await carbon.Server.WaitForPointsAsync("test.cli.pipe.named", 1, CarbonFixture.StoreTimeout));
        Assert.Equal([(timestamp, 3.0)], await carbon.Server.WaitForPointsAsync("test.cli.pipe.named2", 1, CarbonFixture.StoreTimeout));
    }

    [Fact]
    public async Task Pipe_LineThatIsNotUtf8_IsReportedAndSkipped_TheOthersAreStored()
    {
        long timestamp = CarbonFixture.Now() - 45;
        string file = Path.Combine(Path.GetTempPath(), $"aiographite-cli-latin1-{Guid.NewGuid():N}.txt");
        byte[] latin1 = Encoding.Latin1.GetBytes($"test.cli.pipe.caf\u00e9 1 {timestamp}\n");
        byte[] utf8 = Encoding.UTF8.GetBytes($"test.cli.pipe.utf8.caf\u00e9 2 {timestamp}\n");
        await File.WriteAllBytesAsync(file, [.. utf8, .. latin1], TestContext.Current.CancellationToken);
        try
        {
            CliResult result = await CliRun.RunAsync(["pipe", "-i", file, "--port", Port(carbon.Server.LinePort)]);

            Assert.True(result.ExitCode == 1, result.ToString());
            Assert.Equal("aiographite pipe: line 2: the line is not valid UTF-8 text", result.ErrorLines[0]);
            Assert.Equal([(timestamp, 2.0)], await carbon.Server.WaitForPointsAsync("test.cli.pipe.utf8.caf\u00e9", 1, CarbonFixture.StoreTimeout));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static double Value(int i) => (i * 0.5) - 1_000.25;

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
