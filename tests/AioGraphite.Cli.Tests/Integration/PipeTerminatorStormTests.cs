using System.Globalization;
using System.Text.RegularExpressions;
using AioGraphite.TestUtilities;
using AioGraphite.TestUtilities.Tls;
using Xunit;

namespace AioGraphite.Cli.Tests.Integration;

/// <summary>
/// Issue 15, row 3 through the tool: stunnel (a TLS terminator) in front of a real carbon-cache;
/// <c>aiographite pipe --tls --tls-ca CA</c> (default options otherwise, the default <c>--timeout</c> included) streams
/// the usual 60,000 lines (~12,000 lines/s) to stunnel; mid-stream carbon is SIGKILLed behind stunnel and started again
/// 1 s later. stunnel accepts every TLS connection and only then finds carbon down and closes it: a client that counts
/// each accepted connection as healthy (resetting its back-off) and replays its whole replay set on each one storms.
/// Whisper must hold every point with its value, the pipe must exit 0, and its summary line
/// (<c>...; reconnected N times, M points replayed</c>) must show at most <see cref="MaxReconnects"/> reconnects and at
/// most <see cref="MaxReplayFactor"/> × the points sent replayed.
/// </summary>
[Trait("Category", PipeFault.Category)]
public sealed partial class PipeTerminatorStormTests
{
    private const int MaxReconnects = 20;
    private const int MaxReplayFactor = 3;

    [Fact]
    public async Task Pipe_Tls_CarbonKilledBehindStunnel_RestartedOneSecondLater_EveryPointStored_ExitsZero_NoReconnectOrReplayStorm()
    {
        using TestCertificates certs = TestCertificates.Create();
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        await using StunnelServer stunnel = await StunnelServer.StartAsync([new StunnelService("line", carbon.LinePort, certs.Server)]);
        IReadOnlyList<ExpectedSeries> expected = PipeFault.Grid("terminator-storm");
        int sent = expected.Sum(s => s.Points.Count);

        ProcessRunner.Result exit;
        await using (RunningProcess pipe = RunningProcess.Start(
            DotnetHost.Path,
            SpoolCli.Tool("pipe", "--port", SpoolCli.Text(stunnel.Port("line")), "--tls", "--tls-ca", certs.Ca.CertificatePath)))
        {
            Task fault = Task.CompletedTask;
            try
            {
                using (await LoadSlots.AcquireAsync(PipeFault.Ct))
                {
                    await PipeFault.FeedAsync(pipe, expected, () => fault = Task.Run(
                        async () =>
                        {
                            // The pipe connects in the background: carbon must really be receiving through stunnel first.
                            await Poll.UntilAsync(
                                async () => await carbon.CountReceivedAsync(expected.Take(1).ToList(), PipeFault.Ct),
                                received => received > 0,
                                TimeSpan.FromSeconds(30),
                                $"carbon receiving {expected[0].Metric} from the pipe through stunnel");
                            await carbon.KillAsync();
                            await Task.Delay(TimeSpan.FromSeconds(1), PipeFault.Ct);
                            await carbon.StartAgainAsync();
                        },
                        PipeFault.Ct));
                }

                // The default --timeout is 60 s: the pipe gives up (exit 2) long before this.
                exit = await pipe.WaitForExitAsync(TimeSpan.FromSeconds(180));
            }
            finally
            {
                await fault;
            }
        }

        StoredPointsReport report = await carbon.WaitForAllStoredAsync(expected, TimeSpan.FromSeconds(60), PipeFault.Ct);
        string? summary = exit.StandardError.Split('\n').LastOrDefault(l => l.StartsWith("aiographite pipe: ", StringComparison.Ordinal) && l.Contains(" delivered", StringComparison.Ordinal));
        Assert.True(summary is not null, $"the pipe wrote no summary line (exit code {exit.ExitCode}, {report.ToString().Split('\n')[0]}); the test cannot tell reconnects and replays\n--- pipe stderr:\n{exit.StandardError}");

        // The summary names reconnects and replays only when there was at least one reconnect.
        Match counts = ReconnectsAndReplays().Match(summary);
        long reconnects = counts.Success ? Number(counts.Groups["reconnects"].Value) : 0;
        long replayed = counts.Success ? Number(counts.Groups["replayed"].Value) : 0;
        string storm = string.Create(
            CultureInfo.InvariantCulture,
            $"{reconnects:N0} reconnects (at most {MaxReconnects} allowed), {replayed:N0} points replayed for {sent:N0} sent (at most {MaxReplayFactor}× = {MaxReplayFactor * sent:N0} allowed){(counts.Success ? string.Empty : "; the summary names no reconnect")}");
        string verdict = (report.Complete, exit.ExitCode) switch
        {
            (true, 0) => "every point stored, exit code 0",
            (false, 0) => $"EXITED 0 WITH POINTS MISSING: {report}",
            (false, _) => $"exit code {exit.ExitCode}, and {report}",
            (true, _) => $"every point stored, but exit code {exit.ExitCode} (must be 0 when nothing is lost)",
        };
        string details = $"summary: {summary}\n--- pipe stderr:\n{exit.StandardError}";
        TestContext.Current.SendDiagnosticMessage($"aiographite pipe --tls, carbon SIGKILLed behind stunnel, restarted 1 s later: {verdict.Split('\n')[0]}; {storm}");
        Assert.True(report.Complete && exit.ExitCode == 0, $"aiographite pipe --tls, carbon SIGKILLed behind stunnel, restarted 1 s later ({storm}): {verdict}\n{details}");
        Assert.True(reconnects <= MaxReconnects, $"reconnect storm through the TLS terminator: {storm}\n{details}");
        Assert.True(replayed <= MaxReplayFactor * (long)sent, $"replay storm through the TLS terminator: {storm}\n{details}");
    }

    private static long Number(string text) => long.Parse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    // PipeSession.Finish: "; reconnected {N time|N times}, {M point|M points} replayed", counts formatted N0.
    [GeneratedRegex(@"; reconnected (?<reconnects>[\d,]+) times?, (?<replayed>[\d,]+) points? replayed")]
    private static partial Regex ReconnectsAndReplays();
}
