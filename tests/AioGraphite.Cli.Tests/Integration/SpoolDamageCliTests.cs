using System.Globalization;
using System.Text;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Cli.Tests.Integration;

/// <summary>
/// Issue 16, item 3, the case of its table: <c>aiographite pipe --spool DIR</c> spools 60,000 points while carbon is down;
/// one byte is flipped a third of the way into the spool file (inside a record's payload); a draining run with carbon up
/// delivers every point but those of the one damaged record (whisper checked point by point), says how many it could
/// not send and where the damaged file is kept, and exits 3, not 0. (Before: the whole file was set aside, ~40,000
/// points never sent, exit 0.)
/// </summary>
[Trait("Category", PipeFault.Category)]
public sealed class PipeSpoolDamageTests
{
    private const int Metrics = 100;
    private const int Steps = 600;

    [Fact]
    public async Task DrainingASpoolWithOneFlippedByte_DeliversAllButTheDamagedRecord_NamesTheDamage_AndDoesNotExitZero()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        await carbon.KillAsync();
        string spool = SpoolCli.NewDirectory("damage");
        try
        {
            string port = SpoolCli.Text(carbon.LinePort);
            long first = CarbonFixture.Now() - 1800;
            var input = new StringBuilder();
            var expected = new List<ExpectedSeries>();
            for (int m = 0; m < Metrics; m++)
            {
                var points = new List<(long Timestamp, double Value)>();
                for (int step = 0; step < Steps; step++)
                {
                    points.Add((first + step, (m * 10_000.0) + step + 0.25));
                }

                expected.Add(new ExpectedSeries($"spool.cli.damage.m{m:D3}", points));
            }

            for (int step = 0; step < Steps; step++)
            {
                foreach (ExpectedSeries series in expected)
                {
                    input.Append(CultureInfo.InvariantCulture, $"{series.Metric} {series.Points[step].Value:R} {series.Points[step].Timestamp}\n");
                }
            }

            CliResult down = await ProcessRun.RunAsync(DotnetHost.Path, SpoolCli.Tool("pipe", "--port", port, "--spool", spool, "--timeout", "3"), environment: null, TimeSpan.FromSeconds(120), standardInput: input.ToString());
            Assert.True(down.ExitCode == 2, down.ToString());
            SpoolOnDisk disk = SpoolRecords.Read(spool);
            Assert.Equal(Metrics * Steps, disk.Points);
            string file = Assert.Single(disk.Files);
            long length = new FileInfo(file).Length;

            // One byte a third of the way into the file, inside a record's payload (not its header).
            int hit = disk.Records.ToList().FindIndex(r => r.Offset + 32 + r.Payload.Length > length / 3);
            SpoolRecordOnDisk damaged = disk.Records[hit];
            long at = Math.Max(length / 3, damaged.Offset + 32);
            Assert.InRange(at, damaged.Offset + 32, damaged.Offset + 32 + damaged.Payload.Length - 1);
            Assert.True(hit < disk.Records.Count - 1, "valid records follow the damaged one");
            using (FileStream f = new(file, FileMode.Open, FileAccess.ReadWrite))
            {
                f.Position = at;
                int b = f.ReadByte();
                f.Position = at;
                f.WriteByte((byte)(b ^ 0x01));
            }

            await carbon.StartAgainAsync();
            CliResult drain = await ProcessRun.RunAsync(DotnetHost.Path, SpoolCli.Tool("pipe", "--port", port, "--spool", spool), environment: null, TimeSpan.FromSeconds(120), standardInput: string.Empty);

            StoredPointsReport report = await carbon.WaitForAllStoredAsync(expected, TimeSpan.FromSeconds(90), SpoolCli.Ct);
            TestContext.Current.SendDiagnosticMessage($"one flipped byte at offset {at:N0} of {length:N0} in a spool of {disk.Points:N0} points in {disk.Records.Count} records: {report.ToString().Split('\n')[0]}\n{drain.Error}");
            int largest = disk.Records.Max(r => r.Points);
            Assert.True(report.LostPoints <= largest, $"lost {report.LostPoints} points, more than one record holds ({largest})\n{report}\n{drain}");
            Assert.Equal(damaged.Points, report.LostPoints); // exactly the damaged record's points are missing

            Assert.True(drain.ExitCode == 3, drain.ToString());
            long delivered = disk.Points - damaged.Points;
            Assert.Contains($"{delivered:N0} points delivered ({delivered:N0} points left in the spool by an earlier run, sent first)", drain.Error, StringComparison.Ordinal);
            Assert.Contains(
                $"the spool had 1 damaged record ({32 + damaged.Payload.Length:N0} bytes, about {damaged.Points:N0} points) that could not be sent, kept in {file}.corrupt.",
                drain.Error,
                StringComparison.Ordinal);
            Assert.Equal(length, new FileInfo(file + ".corrupt").Length); // the file as found, for an operator
            Assert.Empty(SpoolRecords.Read(spool).Files); // everything sendable was sent and retired
        }
        finally
        {
            SpoolCli.Delete(spool);
        }
    }
}

/// <summary>
/// Issue 16, item 3: <c>aiographite send --spool DIR</c> that meets a damaged record in the spool sends the valid records
/// after it and its own point, names the damage and exits 3, not 0.
/// </summary>
[Trait("Category", PipeFault.Category)]
public sealed class SendSpoolDamageTests
{
    [Fact]
    public async Task SendWithSpool_OnASpoolWithADamagedRecord_DeliversTheRest_NamesTheDamage_AndExitsThree()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        await carbon.KillAsync();
        string spool = SpoolCli.NewDirectory("send-damage");
        try
        {
            string port = SpoolCli.Text(carbon.LinePort);
            long ts = CarbonFixture.Now() - 600;
            foreach (int i in new[] { 0, 1 })
            {
                CliResult down = await CliRun.RunAsync(["send", "spool.cli.senddamage", SpoolCli.Text(i + 1), SpoolCli.Text(ts + i), "--port", port, "--spool", spool, "--timeout", "1"], cancellationToken: SpoolCli.Ct);
                Assert.True(down.ExitCode == 2, down.ToString());
            }

            SpoolOnDisk disk = SpoolRecords.Read(spool);
            Assert.Equal(2, disk.Records.Count);
            SpoolRecordOnDisk first = disk.Records[0];
            using (FileStream f = new(first.File, FileMode.Open, FileAccess.ReadWrite))
            {
                f.Position = first.Offset + 32 + 3; // in the first record's payload; the second record follows it
                int b = f.ReadByte();
                f.Position -= 1;
                f.WriteByte((byte)(b ^ 0x01));
            }

            await carbon.StartAgainAsync();
            CliResult up = await CliRun.RunAsync(["send", "spool.cli.senddamage", "3", SpoolCli.Text(ts + 2), "--port", port, "--spool", spool], cancellationToken: SpoolCli.Ct);
            Assert.True(up.ExitCode == 3, up.ToString());
            Assert.Equal(
                $"aiographite send: 2 points delivered; the spool had 1 damaged record ({32 + first.Payload.Length} bytes, about 1 point) that could not be sent, kept in {first.File}.corrupt.",
                up.SingleErrorLine());
            Assert.Equal([(ts + 1, 2.0), (ts + 2, 3.0)], await carbon.WaitForPointsAsync("spool.cli.senddamage", 2, TimeSpan.FromSeconds(15)));
        }
        finally
        {
            SpoolCli.Delete(spool);
        }
    }
}
