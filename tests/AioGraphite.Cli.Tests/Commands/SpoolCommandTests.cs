using System.Globalization;
using System.Text;
using System.Text.Json;
using AioGraphite.Cli.Tests.Integration;
using Xunit;

namespace AioGraphite.Cli.Tests.Commands;

/// <summary>
/// <c>aiographite spool status|verify|drain DIR</c> on spools left by <c>pipe --spool</c> while nothing listens (port 9):
/// the report, <c>--json</c>, damage, exit codes, errors. Delivery to a real carbon: <see cref="SpoolDrainTests"/>.
/// </summary>
public sealed class SpoolCommandTests : IDisposable
{
    private const long Base = 1_700_000_000;
    private readonly string _spool = SpoolCli.NewDirectory("command");

    public void Dispose() => SpoolCli.Delete(_spool);

    private string Destination => Path.Combine(_spool, "127.0.0.1_tcp_9_plaintext");

    /// <summary>Leaves <paramref name="count"/> points (stamped <see cref="Base"/>, +1, ...) in the spool: carbon is not there.</summary>
    private async Task LeavePointsAsync(int count)
    {
        string lines = string.Concat(Enumerable.Range(0, count).Select(i => $"spool.command.m{i} {i}.5 {Base + i}\n"));
        CliResult pipe = await CliRun.RunAsync(["pipe", "--port", "9", "--spool", _spool, "--timeout", "1"], standardInput: lines, cancellationToken: SpoolCli.Ct);
        Assert.True(pipe.ExitCode == 2, pipe.ToString());
    }

    private static JsonElement Json(CliResult result) => JsonDocument.Parse(result.Out).RootElement;

    [Fact]
    public async Task Status_OfASpoolLeftByPipe_ReportsItsDestinationPointsAndTimes()
    {
        await LeavePointsAsync(3);

        CliResult text = await CliRun.RunAsync(["spool", "status", _spool], cancellationToken: SpoolCli.Ct);
        CliResult json = await CliRun.RunAsync(["spool", "status", _spool, "--json"], cancellationToken: SpoolCli.Ct);

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("127.0.0.1_tcp_9_plaintext: 127.0.0.1:9 plaintext over tcp\n", text.Out, StringComparison.Ordinal);
        Assert.Contains("  waiting: 3 points in 1 record (", text.Out, StringComparison.Ordinal);
        Assert.Contains("points from 2023-11-14 22:13:20 UTC to 2023-11-14 22:13:22 UTC", text.Out, StringComparison.Ordinal);
        Assert.Contains("  lock: free", text.Out, StringComparison.Ordinal);
        Assert.Contains("  damage: none", text.Out, StringComparison.Ordinal);

        Assert.True(json.ExitCode == 0, json.ToString());
        JsonElement root = Json(json);
        Assert.Equal(Path.GetFullPath(_spool), root.GetProperty("directory").GetString());
        Assert.Equal(3, root.GetProperty("points").GetInt64());
        Assert.False(root.GetProperty("damaged").GetBoolean());
        JsonElement d = Assert.Single(root.GetProperty("destinations").EnumerateArray());
        Assert.Equal(Destination, d.GetProperty("directory").GetString());
        JsonElement identity = d.GetProperty("identity");
        Assert.Equal(("127.0.0.1", 9, "tcp", "plaintext", false), (identity.GetProperty("host").GetString(), identity.GetProperty("port").GetInt32(), identity.GetProperty("transport").GetString(), identity.GetProperty("protocol").GetString(), identity.GetProperty("inferred").GetBoolean()));
        Assert.Equal((3, 1), (d.GetProperty("points").GetInt64(), d.GetProperty("records").GetInt64()));
        Assert.Equal(("2023-11-14T22:13:20Z", "2023-11-14T22:13:22Z"), (d.GetProperty("oldest").GetString(), d.GetProperty("newest").GetString()));
        Assert.Empty(d.GetProperty("damage").EnumerateArray());
        Assert.False(d.GetProperty("lock").GetProperty("held").GetBoolean());
    }

    [Fact]
    public async Task Verify_ADamagedRecord_IsReportedWithItsFile_ExitOne_AndNothingChanges()
    {
        await LeavePointsAsync(2);
        await LeavePointsAsync(4); // a second record, in the same file: the damage costs only the first
        string file = Path.Combine(Destination, "000000000001.spool");
        byte[] bytes = File.ReadAllBytes(file);
        bytes[40] ^= 0x01; // in the first record's payload
        File.WriteAllBytes(file, bytes);
        DateTime written = File.GetLastWriteTimeUtc(file);

        CliResult text = await CliRun.RunAsync(["spool", "verify", _spool], cancellationToken: SpoolCli.Ct);
        CliResult json = await CliRun.RunAsync(["spool", "verify", _spool, "--json"], cancellationToken: SpoolCli.Ct);
        CliResult status = await CliRun.RunAsync(["spool", "status", _spool], cancellationToken: SpoolCli.Ct);

        Assert.True(text.ExitCode == 3, text.ToString());
        Assert.Contains("  damaged: 000000000001.spool at byte 0: ", text.Out, StringComparison.Ordinal);
        Assert.Contains("1 record, 2 points lost: the record's checksum (CRC-32C) does not match its bytes", text.Out, StringComparison.Ordinal);
        Assert.Contains("  waiting: 4 points in 1 record", text.Out, StringComparison.Ordinal); // the record after the damage still counts
        Assert.True(json.ExitCode == 3, json.ToString());
        JsonElement root = Json(json);
        Assert.True(root.GetProperty("damaged").GetBoolean());
        Assert.True(root.GetProperty("verified").GetBoolean());
        JsonElement damage = Assert.Single(Assert.Single(root.GetProperty("destinations").EnumerateArray()).GetProperty("damage").EnumerateArray());
        Assert.Equal(("000000000001.spool", "damaged", 0, 1, 2), (damage.GetProperty("file").GetString(), damage.GetProperty("kind").GetString(), damage.GetProperty("offset").GetInt64(), damage.GetProperty("records").GetInt32(), damage.GetProperty("points").GetInt64()));
        Assert.True(status.ExitCode == 3, status.ToString());
        Assert.Equal(bytes, File.ReadAllBytes(file));
        Assert.Equal(written, File.GetLastWriteTimeUtc(file));
    }

    [Fact]
    public async Task Status_OfAnEmptyDirectory_SaysNothingIsSpooled_ExitZero()
    {
        CliResult result = await CliRun.RunAsync(["spool", "status", _spool], cancellationToken: SpoolCli.Ct);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"{Path.GetFullPath(_spool)}: no destination directory (nothing spooled)\n", result.Out);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("verify")]
    [InlineData("drain")]
    public async Task Spool_OnAMissingDirectory_OneLineNamingIt_ExitTwo(string command)
    {
        string missing = Path.Combine(_spool, "nowhere");

        CliResult result = await CliRun.RunAsync(["spool", command, missing], cancellationToken: SpoolCli.Ct);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal($"aiographite spool {command}: The spool directory '{missing}' does not exist: give the directory a client was configured with (SpoolDirectory, --spool DIR) or one destination's directory in it.", result.SingleErrorLine());
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task Drain_WithAPortNoDestinationHas_SaysWhichWait_ExitTwo()
    {
        await LeavePointsAsync(1);

        CliResult result = await CliRun.RunAsync(["spool", "drain", _spool, "--port", "2003"], cancellationToken: SpoolCli.Ct);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal($"aiographite spool drain: No destination directory in '{Path.GetFullPath(_spool)}' with points waiting matches --host/--port/--protocol; points wait for: 127.0.0.1:9 plaintext over tcp. Drop those options, or give one of these.", result.SingleErrorLine());
    }

    [Fact]
    public async Task Drain_CarbonAway_SaysWhatStays_ExitTwo_AndTheSpoolKeepsIt()
    {
        await LeavePointsAsync(2);

        CliResult result = await CliRun.RunAsync(["spool", "drain", _spool, "--timeout", "1", "--json"], cancellationToken: SpoolCli.Ct);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"They stay in the spool '{_spool}'", result.Error, StringComparison.Ordinal);
        JsonElement d = Assert.Single(Json(result).GetProperty("destinations").EnumerateArray());
        Assert.Equal((2, 0, 2, 2), (d.GetProperty("points_waiting").GetInt64(), d.GetProperty("delivered").GetInt64(), d.GetProperty("undelivered").GetInt64(), d.GetProperty("exit_code").GetInt32()));
        Assert.Equal("127.0.0.1:9 (plaintext)", d.GetProperty("sent_to").GetString());
        CliResult status = await CliRun.RunAsync(["spool", "status", _spool, "--json"], cancellationToken: SpoolCli.Ct);
        Assert.Equal(2, Json(status).GetProperty("points").GetInt64());
    }

    [Fact]
    public async Task StatusAndDrain_OfADirectoryRenamedByHand_SayItIsForeign_DrainRefusesIt_ExitTwo()
    {
        await LeavePointsAsync(2);
        string renamed = Path.Combine(_spool, "127.0.0.1_tcp_19_plaintext");
        Directory.Move(Destination, renamed);

        CliResult status = await CliRun.RunAsync(["spool", "status", _spool], cancellationToken: SpoolCli.Ct);
        CliResult json = await CliRun.RunAsync(["spool", "status", _spool, "--json"], cancellationToken: SpoolCli.Ct);
        CliResult drain = await CliRun.RunAsync(["spool", "drain", _spool, "--timeout", "1"], cancellationToken: SpoolCli.Ct);

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("127.0.0.1_tcp_19_plaintext: 127.0.0.1:9 plaintext over tcp\n  foreign: a client for that destination uses the directory '127.0.0.1_tcp_9_plaintext', not this one: rename it to that to send its records\n", status.Out, StringComparison.Ordinal);
        Assert.True(Assert.Single(Json(json).GetProperty("destinations").EnumerateArray()).GetProperty("foreign").GetBoolean());
        Assert.True(drain.ExitCode == 2, drain.ToString());
        Assert.Equal($"aiographite spool drain: '{renamed}' holds 2 points for 127.0.0.1:9 plaintext over tcp, whose directory is '127.0.0.1_tcp_9_plaintext': rename it to that (once nothing else is there) to drain it.", drain.SingleErrorLine());
        Assert.Equal(2, Json(await CliRun.RunAsync(["spool", "status", _spool, "--json"], cancellationToken: SpoolCli.Ct)).GetProperty("points").GetInt64());
    }

    [Fact]
    public async Task Spool_WithoutASubcommand_IsAUsageError()
    {
        CliResult result = await CliRun.RunAsync(["spool"], cancellationToken: SpoolCli.Ct);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("Run 'aiographite spool --help' for usage.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_OfSpool_ShowsItsSubcommandsExamplesAndExitCodes()
    {
        CliResult spool = await CliRun.RunAsync(["spool", "--help"], cancellationToken: SpoolCli.Ct);
        CliResult drain = await CliRun.RunAsync(["spool", "drain", "--help"], cancellationToken: SpoolCli.Ct);

        string help = string.Join(' ', spool.Out.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        foreach (string expected in new[] { "status", "verify", "drain", "aiographite spool status /var/spool/aiographite", "3 damaged data, or kept copies of damaged files (.corrupt), found" })
        {
            Assert.Contains(expected, help, StringComparison.Ordinal);
        }

        string drainHelp = string.Join(' ', drain.Out.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        foreach (string expected in new[] { "<DIR>", "--json", "--tls-ca", "--timeout", "its identity file", "Exit code 0 when every point was delivered", "aiographite spool drain /var/spool/aiographite" })
        {
            Assert.Contains(expected, drainHelp, StringComparison.Ordinal);
        }
    }
}
