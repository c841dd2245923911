using System.Globalization;
using System.Text.Json;
using AioGraphite;
using AioGraphite.FaultDriver;

// AioGraphite.FaultDriver: streams points through the library with default options, waits for delivery, closes, and
// prints one JSON line on stdout: the client's statistics and the times. Progress goes to stderr:
// "fault-driver: step K" once step --mark-step is sent (tests start a fault on it), "fault-driver: streamed ..."
// once every point is sent. With --spool DIR (the client's disk spool): "fault-driver: spool opened: recovered R points,
// torn tails T, quarantined files Q" once the client is created, then "fault-driver: durable N" whenever the points
// synced to the spool (Statistics.Spool.PointsSpooled) grow: the first N points sent are durable (tests kill it then).
//
//   AioGraphite.FaultDriver --port P [--host 127.0.0.1] [--protocol plaintext|pickle] --prefix NAME
//       [--metrics 100] [--steps 600] [--rate 12000] --first-timestamp T [--lazy] [--mark-step K] [--delivery-timeout 120]
//       [--spool DIR] [--spool-file-bytes N] [--sync-interval-ms MS] [--replay-window-ms MS] [--buffer-bytes N] [--batch-bytes N]
//
// Exit code 0 when the wait for delivery completed, 3 when it failed or timed out, 2 on a usage error, 1 on any other error.
const string Usage = "usage: AioGraphite.FaultDriver --port P [--host H] [--protocol plaintext|pickle] --prefix NAME [--metrics N] [--steps N] [--rate POINTS_PER_S] --first-timestamp T [--lazy] [--mark-step K] [--delivery-timeout S] [--spool DIR] [--spool-file-bytes N] [--sync-interval-ms MS] [--replay-window-ms MS] [--buffer-bytes N] [--batch-bytes N]";

if (args is ["lock-race", _, _])
{
    return await LockRace.RunAsync(args[1..]);
}

FaultStreamPlan plan;
int markStep;
try
{
    var values = new Dictionary<string, string>(StringComparer.Ordinal);
    bool lazy = false;
    for (int i = 0; i < args.Length; i++)
    {
        if (args[i] == "--lazy")
        {
            lazy = true;
        }
        else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
        {
            values[args[i][2..]] = args[++i];
        }
        else
        {
            throw new FormatException($"unexpected argument '{args[i]}'");
        }
    }

    string Get(string name, string? fallback = null) => values.Remove(name, out string? v) ? v : fallback ?? throw new FormatException($"--{name} is required");
    long? Number(string name) => values.Remove(name, out string? v) ? long.Parse(v, CultureInfo.InvariantCulture) : null;
    TimeSpan? Milliseconds(string name) => Number(name) is long ms ? TimeSpan.FromMilliseconds(ms) : null;
    plan = new FaultStreamPlan(
        Get("host", "127.0.0.1"),
        int.Parse(Get("port"), CultureInfo.InvariantCulture),
        Get("protocol", "plaintext"),
        Get("prefix"),
        int.Parse(Get("metrics", "100"), CultureInfo.InvariantCulture),
        int.Parse(Get("steps", "600"), CultureInfo.InvariantCulture),
        double.Parse(Get("rate", "12000"), CultureInfo.InvariantCulture),
        long.Parse(Get("first-timestamp"), CultureInfo.InvariantCulture))
    {
        LazyConnect = lazy,
        DeliveryTimeout = TimeSpan.FromSeconds(double.Parse(Get("delivery-timeout", "120"), CultureInfo.InvariantCulture)),
        SpoolDirectory = values.Remove("spool", out string? spool) ? spool : null,
        SpoolFileBytes = Number("spool-file-bytes"),
        SpoolSyncInterval = Milliseconds("sync-interval-ms"),
        ReplayWindow = Milliseconds("replay-window-ms"),
        BufferCapacityBytes = Number("buffer-bytes"),
        BatchSizeBytes = (int?)Number("batch-bytes"),
    };
    markStep = int.Parse(Get("mark-step", "-1"), CultureInfo.InvariantCulture);
    if (values.Count > 0)
    {
        throw new FormatException($"unknown option --{values.Keys.First()}");
    }
}
catch (FormatException ex)
{
    await Console.Error.WriteLineAsync($"fault-driver: {ex.Message}\n{Usage}");
    return 2;
}

try
{
    await Console.Error.WriteLineAsync($"fault-driver: streaming {plan.Points} points to {plan.Host}:{plan.Port} over {plan.Protocol}");
    using var stopWatching = new CancellationTokenSource();
    Task watching = Task.CompletedTask;
    FaultStreamResult result;
    try
    {
        result = await FaultStream.RunAsync(
            plan,
            markStep,
            () => Console.Error.WriteLine($"fault-driver: step {markStep}"),
            () => Console.Error.WriteLine($"fault-driver: streamed {plan.Points} points, waiting for delivery"),
            opened: client =>
            {
                if (plan.SpoolDirectory is not null)
                {
                    GraphiteSpoolStatistics spool = client.Statistics.Spool;
                    Console.Error.WriteLine($"fault-driver: spool opened: recovered {spool.PointsRecovered} points, torn tails {spool.TornTails}, quarantined files {spool.QuarantinedFiles}");
                    watching = Task.Run(() => ReportDurable(client, stopWatching.Token));
                }
            });
    }
    finally
    {
        await stopWatching.CancelAsync();
        await watching;
    }

    GraphiteClientStatistics s = result.Statistics;
    string json = JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["elapsedSeconds"] = Math.Round(result.Elapsed.TotalSeconds, 3),
        ["streamSeconds"] = Math.Round(result.StreamTime.TotalSeconds, 3),
        ["deliverySeconds"] = Math.Round(result.DeliveryTime.TotalSeconds, 3),
        ["deliveryError"] = result.DeliveryError,
        ["pointsAccepted"] = s.PointsAccepted,
        ["pointsWritten"] = s.PointsWritten,
        ["pointsReplayed"] = s.PointsReplayed,
        ["pointsDroppedBufferFull"] = s.PointsDroppedBufferFull,
        ["pointsRejected"] = s.PointsRejected,
        ["pointsUndelivered"] = s.PointsUndelivered,
        ["bytesWritten"] = s.BytesWritten,
        ["reconnects"] = s.Reconnects,
        ["bufferedPoints"] = s.BufferedPoints,
        ["pointsDelivered"] = s.PointsDelivered,
        ["spoolPointsSpooled"] = s.Spool.PointsSpooled,
        ["spoolPointsRecovered"] = s.Spool.PointsRecovered,
        ["spoolTornTails"] = s.Spool.TornTails,
        ["spoolQuarantinedFiles"] = s.Spool.QuarantinedFiles,
        ["spoolErrors"] = s.Spool.Errors,
        ["spoolFiles"] = s.Spool.Files,
    });
    await Console.Out.WriteLineAsync(json);
    await Console.Error.WriteLineAsync($"fault-driver: {result}");
    return result.DeliveryError is null ? 0 : 3;
}
catch (Exception ex)
{
    await Console.Error.WriteLineAsync($"fault-driver: failed: {ex}");
    return 1;
}

// Prints "fault-driver: durable N" whenever the points synced to the spool grow (and once more at the end).
static void ReportDurable(GraphiteClient client, CancellationToken stop)
{
    long reported = 0;
    while (true)
    {
        bool last = stop.IsCancellationRequested;
        long durable = client.Statistics.Spool.PointsSpooled;
        if (durable > reported)
        {
            reported = durable;
            Console.Error.WriteLine($"fault-driver: durable {durable}");
        }

        if (last)
        {
            return;
        }

        Thread.Sleep(2);
    }
}
