using System.Globalization;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Cli.Tests.Integration;

/// <summary>
/// Issue 15, row 1 through the tool: <c>aiographite pipe --timeout 120</c> reads 2,000 lines (50 series × 40 timestamps)
/// from a standard input the test holds open, then nothing, like a once-a-minute reporter. carbon-cache is loaded
/// (<c>MAX_UPDATES_PER_SECOND = 5</c>: ~10 s of points in its write cache); 1 s after it has read the burst it is frozen
/// (SIGSTOP) for 70 s, longer than the default replay window, then SIGKILLed and started again. The pipe then reads
/// 2,000 more lines and its input ends. Whisper must hold all 4,000 points AND the pipe must exit 0 (only when every
/// point was delivered).
/// </summary>
[Trait("Category", PipeFault.Category)]
public sealed class PipeIdleSenderFrozenCarbonTests
{
    private const int Metrics = 50;
    private const int Steps = 40; // per burst
    private static readonly TimeSpan FreezeTime = TimeSpan.FromSeconds(70);

    [Fact]
    public async Task Pipe_IdleInput_LoadedCarbonFrozenSeventySecondsThenKilled_EveryPointOfBothBurstsStored_ExitsZero()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync(new CarbonCacheOptions { MaxUpdatesPerSecond = 5 });
        long first = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1800;
        IReadOnlyList<ExpectedSeries> all = ExpectedSeries.Grid(
            Metrics, 2 * Steps, first, m => string.Create(CultureInfo.InvariantCulture, $"fault.cli.idle-frozen.m{m:D3}"), (m, k) => (m * 10_000.0) + k + 0.25);
        IReadOnlyList<ExpectedSeries> firstBurst = [.. all.Select(s => s with { Points = [.. s.Points.Take(Steps)] })];
        IReadOnlyList<ExpectedSeries> secondBurst = [.. all.Select(s => s with { Points = [.. s.Points.Skip(Steps)] })];

        await using RunningProcess pipe = RunningProcess.Start(DotnetHost.Path, [DotnetHost.BuiltProgram("AioGraphite.Cli"), "pipe", "--port", carbon.LinePort.ToString(CultureInfo.InvariantCulture), "--timeout", "120"]);
        await PipeFault.WriteLinesAsync(pipe.StandardInput, firstBurst);
        await carbon.WaitForAllReceivedAsync(firstBurst, TimeSpan.FromSeconds(60), PipeFault.Ct);
        await Task.Delay(TimeSpan.FromSeconds(1), PipeFault.Ct);
        carbon.Freeze();
        await Task.Delay(FreezeTime, PipeFault.Ct);
        Assert.False(pipe.HasExited, $"the pipe exited while its input was still open\n{pipe}");
        await carbon.KillAsync();
        await carbon.StartAgainAsync();

        await PipeFault.WriteLinesAsync(pipe.StandardInput, secondBurst);
        pipe.StandardInput.Close();
        ProcessRunner.Result exit = await pipe.WaitForExitAsync(TimeSpan.FromSeconds(180));

        StoredPointsReport report = await carbon.WaitForAllStoredAsync(all, TimeSpan.FromSeconds(90), PipeFault.Ct);
        string verdict = (report.Complete, exit.ExitCode) switch
        {
            (true, 0) => "every point stored, exit code 0",
            (false, 0) => $"EXITED 0 WITH POINTS MISSING: {report}",
            (false, _) => $"exit code {exit.ExitCode}, and {report}",
            (true, _) => $"every point stored, but exit code {exit.ExitCode} (must be 0 when nothing is lost)",
        };
        TestContext.Current.SendDiagnosticMessage($"aiographite pipe, idle input, loaded carbon frozen 70 s then SIGKILLed: {verdict.Split('\n')[0]}");
        Assert.True(report.Complete && exit.ExitCode == 0, $"aiographite pipe, idle input, loaded carbon (MAX_UPDATES_PER_SECOND = 5) frozen for 70 s after the first 2,000 lines, then SIGKILLed and restarted: {verdict}\n--- pipe stderr:\n{exit.StandardError}");
    }
}
