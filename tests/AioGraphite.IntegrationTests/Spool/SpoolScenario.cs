using System.Globalization;
using System.Text.RegularExpressions;
using AioGraphite.FaultDriver;
using AioGraphite.IntegrationTests.Faults;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Spool;

/// <summary>What a driver found when it opened its spool ("fault-driver: spool opened: ..." on its standard error).</summary>
internal sealed record SpoolOpened(long RecoveredPoints, long TornTails, long QuarantinedFiles);

/// <summary>
/// Shared steps of the disk spool tests against real carbon (issue 10): a temporary spool directory, the fault driver as a
/// process of its own with a spool (it reports the points that are durable, so a test knows what must survive a SIGKILL),
/// and reading its reports.
/// </summary>
internal static partial class SpoolScenario
{
    /// <summary>How long a driver may take to start and open its spool (a loaded 2-core machine).</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A fresh directory under the temp directory for a spool (or a mount point); delete it with <see cref="DeleteDirectory"/>.</summary>
    public static string NewDirectory(string name)
    {
        string path = Path.Combine(Path.GetTempPath(), $"aiographite-spool-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Deletes a directory made by <see cref="NewDirectory"/>; never throws.</summary>
    public static void DeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TestContext.Current.SendDiagnosticMessage($"could not delete {path}: {ex.Message}");
        }
    }

    /// <summary>A plan of <paramref name="metrics"/> × <paramref name="steps"/> points to carbon's line port, 30 min in the past, with a spool.</summary>
    public static FaultStreamPlan Plan(CarbonCacheServer carbon, string prefix, string spool, int metrics, int steps, double pointsPerSecond) =>
        new("127.0.0.1", carbon.LinePort, "plaintext", prefix, metrics, steps, pointsPerSecond, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1800)
        {
            LazyConnect = true,
            SpoolDirectory = spool,
        };

    /// <summary>Starts AioGraphite.FaultDriver for <paramref name="plan"/> (kill it, or dispose it, to end it).</summary>
    public static RunningProcess StartDriver(FaultStreamPlan plan) =>
        RunningProcess.Start(DotnetHost.Path, FaultScenario.DriverArguments(plan, markStep: -1));

    /// <summary>Waits for the driver's "spool opened" line and reads it.</summary>
    public static async Task<SpoolOpened> WaitForOpenedAsync(RunningProcess driver)
    {
        string line = await driver.WaitForErrorLineAsync(l => OpenedLine().IsMatch(l), StartTimeout);
        Match m = OpenedLine().Match(line);
        return new SpoolOpened(Number(m.Groups[1].Value), Number(m.Groups[2].Value), Number(m.Groups[3].Value));
    }

    /// <summary>The last "durable N" the driver reported: its first N points are synced to the spool.</summary>
    public static long LastDurable(RunningProcess driver) =>
        driver.Error.Split('\n').Select(l => DurableLine().Match(l)).Where(m => m.Success).Select(m => Number(m.Groups[1].Value)).DefaultIfEmpty(0).Max();

    /// <summary>Waits until the driver reports at least <paramref name="points"/> durable points.</summary>
    public static Task WaitForDurableAsync(RunningProcess driver, long points, TimeSpan timeout) =>
        driver.WaitForErrorLineAsync(l => DurableLine().Match(l) is { Success: true } m && Number(m.Groups[1].Value) >= points, timeout);

    /// <summary>The driver's JSON summary, parsed (after it exited).</summary>
    public static IReadOnlyDictionary<string, System.Text.Json.JsonElement> Summary(ProcessRunner.Result exit)
    {
        string json = exit.StandardOutputText.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()
            ?? throw new Xunit.Sdk.XunitException($"the driver printed no summary (exit code {exit.ExitCode}); stderr:\n{exit.StandardError}");
        return System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, System.Text.Json.JsonElement>>(json)!;
    }

    private static long Number(string text) => long.Parse(text, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^fault-driver: spool opened: recovered (\d+) points, torn tails (\d+), quarantined files (\d+)")]
    private static partial Regex OpenedLine();

    [GeneratedRegex(@"^fault-driver: durable (\d+)$")]
    private static partial Regex DurableLine();
}
