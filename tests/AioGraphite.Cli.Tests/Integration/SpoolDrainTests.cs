using System.Globalization;
using System.Text;
using System.Text.Json;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Cli.Tests.Integration;

/// <summary>
/// Issue 16: <c>aiographite spool drain DIR</c> against a real carbon-cache. Points spooled by <c>pipe --spool</c> while
/// carbon was down (plaintext and pickle destinations) are sent to the destination each directory's identity names;
/// whisper then holds every one with its value, the drain says so (text and <c>--json</c>), exits 0, and leaves nothing.
/// </summary>
[Trait("Category", PipeFault.Category)]
public sealed class SpoolDrainTests
{
    private const int Metrics = 5;
    private const int Steps = 40;

    [Fact]
    public async Task Drain_PointsSpooledWhileCarbonWasDown_AreAllStoredWithTheirValues_ExitZero()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        await carbon.KillAsync();
        string spool = SpoolCli.NewDirectory("drain");
        try
        {
            long first = CarbonFixture.Now() - 1200;
            var expected = new List<ExpectedSeries>();
            foreach ((string protocol, int port) in new[] { ("plaintext", carbon.LinePort), ("pickle", carbon.PicklePort) })
            {
                var lines = new StringBuilder();
                for (int m = 0; m < Metrics; m++)
                {
                    var points = new List<(long, double)>();
                    for (int step = 0; step < Steps; step++)
                    {
                        double value = (m * 1000.0) + step + 0.25;
                        lines.Append(CultureInfo.InvariantCulture, $"spool.cli.drain.{protocol}.m{m} {value:R} {first + step}\n");
                        points.Add((first + step, value));
                    }

                    expected.Add(new ExpectedSeries($"spool.cli.drain.{protocol}.m{m}", points));
                }

                CliResult down = await CliRun.RunAsync(["pipe", "--protocol", protocol, "--port", SpoolCli.Text(port), "--spool", spool, "--timeout", "1"], standardInput: lines.ToString(), cancellationToken: SpoolCli.Ct);
                Assert.True(down.ExitCode == 2, down.ToString());
            }

            CliResult before = await CliRun.RunAsync(["spool", "status", spool, "--json"], cancellationToken: SpoolCli.Ct);
            Assert.Equal(2 * Metrics * Steps, JsonDocument.Parse(before.Out).RootElement.GetProperty("points").GetInt64());

            await carbon.StartAgainAsync();
            CliResult drain = await CliRun.RunAsync(["spool", "drain", spool, "--json"], cancellationToken: SpoolCli.Ct);

            Assert.True(drain.ExitCode == 0, drain.ToString());
            Assert.Contains($"aiographite spool drain: {Metrics * Steps} points of {Metrics * Steps} delivered from the spool '{Path.GetFullPath(spool)}' to 127.0.0.1:{carbon.LinePort} (plaintext)", drain.Error, StringComparison.Ordinal);
            Assert.Contains($"to 127.0.0.1:{carbon.PicklePort} (pickle)", drain.Error, StringComparison.Ordinal);
            JsonElement[] destinations = [.. JsonDocument.Parse(drain.Out).RootElement.GetProperty("destinations").EnumerateArray()];
            Assert.Equal(2, destinations.Length);
            Assert.All(destinations, d => Assert.Equal((Metrics * Steps, Metrics * Steps, 0L, 0), (d.GetProperty("points_waiting").GetInt64(), d.GetProperty("delivered").GetInt64(), d.GetProperty("undelivered").GetInt64(), d.GetProperty("exit_code").GetInt32())));

            StoredPointsReport stored = await carbon.WaitForAllStoredAsync(expected, TimeSpan.FromSeconds(60), SpoolCli.Ct);
            Assert.True(stored.Complete, $"{stored}\n{drain}");
            CliResult after = await CliRun.RunAsync(["spool", "status", spool, "--json"], cancellationToken: SpoolCli.Ct);
            Assert.Equal(0, JsonDocument.Parse(after.Out).RootElement.GetProperty("points").GetInt64());
            Assert.Empty(SpoolRecords.Read(spool).Files);
        }
        finally
        {
            SpoolCli.Delete(spool);
        }
    }

    [Fact]
    public async Task Drain_OfASpoolWithADamagedRecord_DeliversTheRest_SaysSo_ExitThree()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        await carbon.KillAsync();
        string spool = SpoolCli.NewDirectory("drain-damage");
        try
        {
            long first = CarbonFixture.Now() - 900;
            string port = SpoolCli.Text(carbon.LinePort);
            CliResult damaged = await CliRun.RunAsync(["pipe", "--port", port, "--spool", spool, "--timeout", "1"], standardInput: $"spool.cli.drain.lost 1.5 {first}\n", cancellationToken: SpoolCli.Ct);
            CliResult kept = await CliRun.RunAsync(["pipe", "--port", port, "--spool", spool, "--timeout", "1"], standardInput: $"spool.cli.drain.kept 2.5 {first + 1}\nspool.cli.drain.kept 3.5 {first + 2}\n", cancellationToken: SpoolCli.Ct);
            Assert.True(damaged.ExitCode == 2 && kept.ExitCode == 2, $"{damaged}\n{kept}");
            string file = Path.Combine(spool, $"127.0.0.1_tcp_{port}_plaintext", "000000000001.spool");
            byte[] bytes = File.ReadAllBytes(file);
            bytes[40] ^= 0x01; // in the first record's payload
            File.WriteAllBytes(file, bytes);

            await carbon.StartAgainAsync();
            CliResult drain = await CliRun.RunAsync(["spool", "drain", spool], cancellationToken: SpoolCli.Ct);

            Assert.True(drain.ExitCode == 3, drain.ToString());
            Assert.Contains($"aiographite spool drain: '{Path.GetFullPath(spool)}' holds damaged or quarantined data that cannot be sent: see 'aiographite spool verify {Path.GetFullPath(spool)}'.", drain.Error, StringComparison.Ordinal);
            Assert.Equal([(first + 1, 2.5), (first + 2, 3.5)], await carbon.WaitForPointsAsync("spool.cli.drain.kept", 2, TimeSpan.FromSeconds(30)));
        }
        finally
        {
            SpoolCli.Delete(spool);
        }
    }
}
