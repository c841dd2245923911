using System.Diagnostics;
using System.Globalization;
using System.Text;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Cli.Tests.Integration;

/// <summary>
/// The shape of every <c>aiographite pipe</c> fault test (issue 9): the real tool as a process of its own
/// (<c>dotnet AioGraphite.Cli.dll pipe --port P --timeout 120</c>, default options otherwise), fed ~60,000
/// <c>metric value timestamp</c> lines on standard input at ~12,000 lines/s (100 series × 600 steps, one timestamp per
/// step, distinct values); a fault mid-stream; then whisper must hold every point with its value AND the tool must
/// exit 0. Exiting 0 with points missing is the worst outcome: the failure message says how many and the exit code.
/// </summary>
internal static class PipeFault
{
    public const string Category = "Faults";
    public const int MidStream = Steps / 2;

    private const int Metrics = 100;
    private const int Steps = 600;
    private const double LinesPerSecond = 12_000;
    private static readonly TimeSpan PipeTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(60);

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Runs the pipe (inside <paramref name="ns"/> when given) against <paramref name="carbon"/>; <paramref name="fault"/> starts after step <see cref="MidStream"/>.</summary>
    public static async Task RunAsync(CarbonCacheServer carbon, string name, string description, Func<Task> fault, NetworkNamespace? ns = null)
    {
        IReadOnlyList<ExpectedSeries> expected = Grid(name);
        string[] arguments =
        [
            DotnetHost.BuiltProgram("AioGraphite.Cli"), "pipe",
            "--port", carbon.LinePort.ToString(CultureInfo.InvariantCulture),
            "--timeout", PipeTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        ];
        await using RunningProcess pipe = ns is null ? RunningProcess.Start(DotnetHost.Path, arguments) : ns.Start(DotnetHost.Path, arguments);

        Task faultTask = Task.CompletedTask;
        try
        {
            using (await LoadSlots.AcquireAsync(Ct))
            {
                await FeedAsync(pipe, expected, () => faultTask = Task.Run(
                    async () =>
                    {
                        // The pipe connects in the background: make sure carbon is really receiving before the fault.
                        await WaitUntilStoringAsync(carbon, expected[0].Metric);
                        await fault();
                    },
                    Ct));
            }

            ProcessRunner.Result exit = await pipe.WaitForExitAsync(PipeTimeout + TimeSpan.FromSeconds(60));
            await faultTask;

            StoredPointsReport report = await carbon.WaitForAllStoredAsync(expected, StoreTimeout, Ct);
            string verdict = (report.Complete, exit.ExitCode) switch
            {
                (true, 0) => "every point stored, exit code 0",
                (false, 0) => $"EXITED 0 WITH POINTS MISSING: {report}",
                (false, _) => $"exit code {exit.ExitCode}, and {report}",
                (true, _) => $"every point stored, but exit code {exit.ExitCode} (must be 0 when nothing is lost)",
            };
            TestContext.Current.SendDiagnosticMessage($"aiographite pipe, {description}: {verdict.Split('\n')[0]}");
            Assert.True(report.Complete && exit.ExitCode == 0, $"aiographite pipe, {description}: {verdict}\n--- pipe stderr:\n{exit.StandardError}");
        }
        finally
        {
            await faultTask;
        }
    }

    private static async Task WaitUntilStoringAsync(CarbonCacheServer carbon, string metric)
    {
        long deadline = Environment.TickCount64 + 30_000;
        while ((await carbon.ReadPointsAsync(metric)).Count == 0)
        {
            Assert.True(Environment.TickCount64 < deadline, $"carbon stored nothing of {metric} from the pipe within 30 s of starting the stream: {carbon}");
            await Task.Delay(50, Ct);
        }
    }

    /// <summary>The usual stream: 100 series × 600 steps named <c>fault.cli.{name}.m000</c>..., 30 min in the past.</summary>
    public static IReadOnlyList<ExpectedSeries> Grid(string name)
    {
        string prefix = $"fault.cli.{name}";
        long first = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1800;
        return ExpectedSeries.Grid(Metrics, Steps, first, m => Metric(prefix, m), Value);
    }

    /// <summary>Writes <paramref name="expected"/> as <c>metric value timestamp</c> lines, all at once, and flushes.</summary>
    public static async Task WriteLinesAsync(Stream stdin, IReadOnlyList<ExpectedSeries> expected)
    {
        var text = new StringBuilder();
        foreach (ExpectedSeries series in expected)
        {
            foreach ((long timestamp, double value) in series.Points)
            {
                text.Append(CultureInfo.InvariantCulture, $"{series.Metric} {value:R} {timestamp}\n");
            }
        }

        await stdin.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), Ct);
        await stdin.FlushAsync(Ct);
    }

    private static string Metric(string prefix, int series) => string.Create(CultureInfo.InvariantCulture, $"{prefix}.m{series:D3}");

    private static double Value(int series, int step) => (series * 10_000.0) + step + 0.25;

    /// <summary>Writes the lines of <see cref="Grid"/> step by step at the pace, calls <paramref name="atMidStream"/> after step <see cref="MidStream"/>, then closes standard input.</summary>
    public static async Task FeedAsync(RunningProcess pipe, IReadOnlyList<ExpectedSeries> expected, Action atMidStream)
    {
        Stream stdin = pipe.StandardInput;
        var clock = Stopwatch.StartNew();
        double secondsPerStep = Metrics / LinesPerSecond;
        var text = new StringBuilder();
        try
        {
            for (int step = 0; step < Steps; step++)
            {
                text.Clear();
                foreach (ExpectedSeries series in expected)
                {
                    (long timestamp, double value) = series.Points[step];
                    text.Append(CultureInfo.InvariantCulture, $"{series.Metric} {value:R} {timestamp}\n");
                }

                await stdin.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), Ct);
                await stdin.FlushAsync(Ct);
                if (step == MidStream)
                {
                    atMidStream();
                }

                TimeSpan wait = TimeSpan.FromSeconds(secondsPerStep * (step + 1)) - clock.Elapsed; // read once: a second read could make it negative
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, Ct);
                }
            }
        }
        catch (IOException)
        {
            // the pipe exited early: its exit code and stderr say why
        }
        finally
        {
            try
            {
                stdin.Close();
            }
            catch (IOException)
            {
            }
        }
    }
}
