using System.Globalization;
using System.Text.Json;
using AioGraphite.FaultDriver;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Faults;

/// <summary>
/// The shape of every library fault test (issue 9): ~60,000 points at ~12,000 points/s (100 series × 600 steps, one
/// timestamp per step, distinct values, timestamps 30 min in the past) through a client with default options; a
/// fault made mid-stream; the client waits for delivery (<see cref="Delivery.WaitForDeliveryAsync"/>) and closes;
/// then whisper must hold every point with its value. Nothing is checked through the client's counters.
/// </summary>
internal static class FaultScenario
{
    public const string Category = "Faults";
    public const int Metrics = 100;
    public const int Steps = 600;
    public const double PointsPerSecond = 12_000;

    /// <summary>Step 300 of 600: 2.5 s into the stream.</summary>
    public const int MidStream = Steps / 2;

    /// <summary>How long whisper may take to show everything once the client is done (a failing test settles far sooner).</summary>
    public static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(60);

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static FaultStreamPlan Plan(CarbonCacheServer carbon, string name, string protocol = "plaintext", int metrics = Metrics, int steps = Steps, double pointsPerSecond = PointsPerSecond)
        => new(
            "127.0.0.1",
            protocol == "pickle" ? carbon.PicklePort : carbon.LinePort,
            protocol,
            $"fault.{name}.{protocol}",
            metrics,
            steps,
            pointsPerSecond,
            DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1800);

    public static IReadOnlyList<ExpectedSeries> Expected(FaultStreamPlan plan)
        => ExpectedSeries.Grid(plan.Metrics, plan.Steps, plan.FirstTimestamp, plan.Metric, FaultStreamPlan.Value);

    /// <summary>
    /// Streams <paramref name="plan"/> in this process; <paramref name="fault"/> starts after step <paramref name="faultStep"/>
    /// and is awaited before returning. The stream itself waits for a <see cref="LoadSlots"/> slot (the waits overlap freely).
    /// </summary>
    public static async Task<FaultStreamResult> StreamAsync(FaultStreamPlan plan, int faultStep, Func<Task> fault)
    {
        Task faultTask = Task.CompletedTask;
        FaultStreamResult result;
        using IDisposable slot = await LoadSlots.AcquireAsync(Ct);
        try
        {
            result = await FaultStream.RunAsync(plan, faultStep, () => faultTask = Task.Run(fault, Ct), slot.Dispose, cancellationToken: Ct);
        }
        finally
        {
            await faultTask;
        }

        return result;
    }

    /// <summary>Whisper holds every point of <paramref name="plan"/> with its value, and the wait for delivery completed.</summary>
    public static async Task AssertNoLossAsync(CarbonCacheServer carbon, FaultStreamPlan plan, string fault, string clientOutcome, string? deliveryError, TimeSpan? storeTimeout = null)
    {
        StoredPointsReport report = await carbon.WaitForAllStoredAsync(Expected(plan), storeTimeout ?? StoreTimeout, Ct);
        TestContext.Current.SendDiagnosticMessage($"{fault}: {report.ToString().Split('\n')[0]}; {clientOutcome}");
        Assert.True(report.Complete, $"{fault}: {report}\nclient: {clientOutcome}");
        Assert.True(deliveryError is null, $"{fault}: every point is stored, but {deliveryError}\nclient: {clientOutcome}");
    }

    public static Task AssertNoLossAsync(CarbonCacheServer carbon, FaultStreamPlan plan, string fault, FaultStreamResult result, TimeSpan? storeTimeout = null)
        => AssertNoLossAsync(carbon, plan, fault, result.ToString(), result.DeliveryError, storeTimeout);

    /// <summary>Command-line arguments of AioGraphite.FaultDriver for <paramref name="plan"/>.</summary>
    public static IReadOnlyList<string> DriverArguments(FaultStreamPlan plan, int markStep)
    {
        var args = new List<string>
        {
            DotnetHost.BuiltProgram("AioGraphite.FaultDriver"),
            "--host", plan.Host,
            "--port", Text(plan.Port),
            "--protocol", plan.Protocol,
            "--prefix", plan.Prefix,
            "--metrics", Text(plan.Metrics),
            "--steps", Text(plan.Steps),
            "--rate", plan.PointsPerSecond.ToString(CultureInfo.InvariantCulture),
            "--first-timestamp", Text(plan.FirstTimestamp),
            "--mark-step", Text(markStep),
            "--delivery-timeout", plan.DeliveryTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        };
        if (plan.LazyConnect)
        {
            args.Add("--lazy");
        }

        void Add(string option, long? value)
        {
            if (value is long v)
            {
                args.Add(option);
                args.Add(Text(v));
            }
        }

        if (plan.SpoolDirectory is not null)
        {
            args.Add("--spool");
            args.Add(plan.SpoolDirectory);
        }

        Add("--spool-file-bytes", plan.SpoolFileBytes);
        Add("--sync-interval-ms", (long?)plan.SpoolSyncInterval?.TotalMilliseconds);
        Add("--replay-window-ms", (long?)plan.ReplayWindow?.TotalMilliseconds);
        Add("--buffer-bytes", plan.BufferCapacityBytes);
        Add("--batch-bytes", plan.BatchSizeBytes);
        return args;
    }

    /// <summary>The driver's JSON line (its last line on stdout), or a note when there is none.</summary>
    public static (string Summary, string? DeliveryError) ParseDriverOutput(ProcessRunner.Result exit)
    {
        string? json = exit.StandardOutputText.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (json is null)
        {
            return ($"driver exit code {exit.ExitCode}, no JSON on stdout; stderr:\n{exit.StandardError}", $"the driver exited with code {exit.ExitCode}");
        }

        using JsonDocument doc = JsonDocument.Parse(json);
        string? error = doc.RootElement.TryGetProperty("deliveryError", out JsonElement e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        if (error is null && exit.ExitCode != 0)
        {
            error = $"the driver exited with code {exit.ExitCode}";
        }

        return ($"driver exit code {exit.ExitCode}: {json}", error);
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
