using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Cli.Tests.Integration;

/// <summary>
/// Issue 15, row 2 through the tool: <c>aiographite pipe --spool DIR --timeout 5</c> streams the usual 60,000 lines
/// (~12,000 lines/s) into a loaded carbon-cache (<c>MAX_UPDATES_PER_SECOND = 5</c>: with 100 series its write cache
/// holds ~20 s of points), which is SIGKILLed mid-stream and kept down until the pipe gives up (exit 2). Then carbon
/// starts again and <c>aiographite pipe --spool DIR</c> with empty input drains the spool. Whisper must hold all 60,000
/// points AND the drain must exit 0 (only when every point was delivered): what carbon had read into its cache before the
/// kill was never stored, so it must still be in the spool.
/// </summary>
[Trait("Category", PipeFault.Category)]
public sealed class PipeSpoolGiveUpTests
{
    [Fact]
    public async Task PipeWithSpool_GivesUpWhileLoadedCarbonIsDown_DrainAfterRestart_EveryPointStored_ExitsZero()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync(new CarbonCacheOptions { MaxUpdatesPerSecond = 5 });
        string spool = SpoolCli.NewDirectory("giveup");
        try
        {
            IReadOnlyList<ExpectedSeries> expected = PipeFault.Grid("spool-giveup");
            string port = SpoolCli.Text(carbon.LinePort);
            ProcessRunner.Result gaveUp;
            await using (RunningProcess pipe = RunningProcess.Start(DotnetHost.Path, SpoolCli.Tool("pipe", "--port", port, "--spool", spool, "--timeout", "5")))
            {
                Task kill = Task.CompletedTask;
                using (await LoadSlots.AcquireAsync(PipeFault.Ct))
                {
                    await PipeFault.FeedAsync(pipe, expected, () => kill = Task.Run(
                        async () =>
                        {
                            // carbon must really have read some of the stream (the pipe connects in the background).
                            await Poll.UntilAsync(
                                async () => await carbon.CountReceivedAsync(expected.Take(1).ToList(), PipeFault.Ct),
                                received => received > 0,
                                TimeSpan.FromSeconds(30),
                                $"carbon receiving {expected[0].Metric} from the pipe");
                            await carbon.KillAsync();
                        },
                        PipeFault.Ct));
                }

                await kill;
                gaveUp = await pipe.WaitForExitAsync(TimeSpan.FromSeconds(120));
            }

            Assert.True(gaveUp.ExitCode == 2, $"carbon was down: the first pipe must give up after --timeout 5 with exit code 2, got {gaveUp.ExitCode}\n--- stderr:\n{gaveUp.StandardError}");

            await carbon.StartAgainAsync();
            CliResult drain = await ProcessRun.RunAsync(DotnetHost.Path, SpoolCli.Tool("pipe", "--port", port, "--spool", spool), environment: null, TimeSpan.FromSeconds(120), standardInput: string.Empty);

            StoredPointsReport report = await carbon.WaitForAllStoredAsync(expected, TimeSpan.FromSeconds(120), PipeFault.Ct);
            string verdict = (report.Complete, drain.ExitCode) switch
            {
                (true, 0) => "every point stored, drain exit code 0",
                (false, 0) => $"DRAIN EXITED 0 WITH POINTS MISSING: {report}",
                (false, _) => $"drain exit code {drain.ExitCode}, and {report}",
                (true, _) => $"every point stored, but drain exit code {drain.ExitCode} (must be 0 when nothing is lost)",
            };
            TestContext.Current.SendDiagnosticMessage($"aiographite pipe --spool, gave up while a loaded carbon was down, drained after the restart: {verdict.Split('\n')[0]}");
            Assert.True(
                report.Complete && drain.ExitCode == 0,
                $"aiographite pipe --spool, loaded carbon (MAX_UPDATES_PER_SECOND = 5) SIGKILLed mid-stream and down until the pipe gave up, then drained with --spool after the restart: {verdict}\n--- first pipe stderr:\n{gaveUp.StandardError}\n--- drain: {drain}");
        }
        finally
        {
            SpoolCli.Delete(spool);
        }
    }
}
