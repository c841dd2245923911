using System.Globalization;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Cli.Tests.Integration;

/// <summary>
/// Issue 15, row 4 through the tool: carbon-cache (loaded, <c>MAX_UPDATES_PER_SECOND = 5</c>) is frozen with SIGSTOP
/// before <c>aiographite pipe</c> starts. The connection still succeeds (the kernel completes the handshake from the
/// listen backlog) and the pipe reads 2,000 lines (50 series × 40 timestamps) from a standard input the test holds open,
/// then sends them to nobody. After 70 s frozen carbon is SIGKILLed (the unread bytes are gone) and started again, then
/// standard input ends. Whisper must hold all 2,000 points with their values AND the pipe must exit 0 (only when every
/// point was delivered).
/// </summary>
[Trait("Category", PipeFault.Category)]
public sealed class PipeFrozenBeforeConnectTests
{
    private const int Metrics = 50;
    private const int Steps = 40;
    private static readonly TimeSpan FreezeTime = TimeSpan.FromSeconds(70);

    [Fact]
    public async Task Pipe_CarbonFrozenBeforeThePipeStarts_SeventySecondsThenKilledAndRestarted_EveryPointStored_ExitsZero()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync(new CarbonCacheOptions { MaxUpdatesPerSecond = 5 });
        long first = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1800;
        IReadOnlyList<ExpectedSeries> expected = ExpectedSeries.Grid(
            Metrics, Steps, first, m => string.Create(CultureInfo.InvariantCulture, $"fault.cli.frozen-before-connect.m{m:D3}"), (m, k) => (m * 10_000.0) + k + 0.25);
        carbon.Freeze();

        // The default --timeout (60 s) is shorter than the 70 s freeze: carbon reads nothing all that time, so the pipe
        // would give up (exit 2) while frozen, and without a spool (the default) that loses the points. --timeout 120 is
        // the one option that keeps it waiting through the freeze; everything else is the default.
        ProcessRunner.Result exit;
        await using (RunningProcess pipe = RunningProcess.Start(DotnetHost.Path, SpoolCli.Tool("pipe", "--port", SpoolCli.Text(carbon.LinePort), "--timeout", "120")))
        {
            await PipeFault.WriteLinesAsync(pipe.StandardInput, expected);
            await Task.Delay(FreezeTime, PipeFault.Ct);
            Assert.True(carbon.IsFrozen, $"carbon must still be frozen: {carbon}");
            Assert.False(pipe.HasExited, $"the pipe exited while carbon was frozen and its input still open\n{pipe}");
            await carbon.KillAsync();
            await carbon.StartAgainAsync();

            pipe.StandardInput.Close();
            exit = await pipe.WaitForExitAsync(TimeSpan.FromSeconds(180));
        }

        StoredPointsReport report = await carbon.WaitForAllStoredAsync(expected, TimeSpan.FromSeconds(90), PipeFault.Ct);
        string verdict = (report.Complete, exit.ExitCode) switch
        {
            (true, 0) => "every point stored, exit code 0",
            (false, 0) => $"EXITED 0 WITH POINTS MISSING: {report}",
            (false, _) => $"exit code {exit.ExitCode}, and {report}",
            (true, _) => $"every point stored, but exit code {exit.ExitCode} (must be 0 when nothing is lost)",
        };
        TestContext.Current.SendDiagnosticMessage($"aiographite pipe, loaded carbon frozen before the pipe started, 70 s, then SIGKILLed and restarted: {verdict.Split('\n')[0]}");
        Assert.True(
            report.Complete && exit.ExitCode == 0,
            $"aiographite pipe --timeout 120, loaded carbon (MAX_UPDATES_PER_SECOND = 5) frozen (SIGSTOP) before the pipe started, 2,000 lines read, 70 s frozen, then SIGKILLed and restarted, then the input closed: {verdict}\n--- pipe stderr:\n{exit.StandardError}");
    }
}
