using System.Diagnostics;

namespace AioGraphite.Throughput;

/// <summary>One row of the latency table: a scenario, a protocol and an API.</summary>
internal sealed record LatencyRow
{
    public required string Scenario { get; init; }

    public required string Protocol { get; init; }

    public required string Api { get; init; }

    public required string Server { get; init; }

    public required ProducerResult Result { get; init; }

    /// <summary>Points the client dropped for a full buffer during the row.</summary>
    public long Dropped { get; init; }

    public double? FirstDropAfter { get; init; }

    public long BufferedAtEnd { get; init; }

    public required IReadOnlyList<long> BufferedAtSecond { get; init; }

    /// <summary>Bytes handed to the socket during the row.</summary>
    public long Written { get; init; }

    public long Reconnects { get; init; }

    /// <summary>Bytes allocated by the whole process during the row.</summary>
    public long Allocated { get; init; }

    /// <summary>Garbage collections during the row and the time they paused the process.</summary>
    public (int Gen0, int Gen1, int Gen2, TimeSpan Pause) Gcs { get; init; }

    public double Load { get; init; }

    private string ApiName => Api switch
    {
        "trysend" => "TrySend",
        "sendasync" => "SendAsync",
        _ => "(no call)",
    };

    private string RefusedOrAwaited => Api switch
    {
        "trysend" => Fmt.Count(Result.Refused),
        "sendasync" => Fmt.Count(Result.Awaited),
        _ => "—",
    };

    private string GcText => $"{Gcs.Gen0}/{Gcs.Gen1}/{Gcs.Gen2} ({Fmt.Num(Gcs.Pause.TotalMilliseconds, "0.0")})";

    private string PreemptedText => Result.Preempted < 0 ? "n/a" : Fmt.Count(Result.Preempted);

    private LatencyHistogram H => Result.Histogram;

    public string TableRow() =>
        $"| {Scenario} | {Protocol} | {ApiName} | {Fmt.Count(H.Count)} | {Fmt.Rate(Result.CallsPerSecond)} "
        + $"| {Us(H.Percentile(0.50))} | {Us(H.Percentile(0.99))} | {Us(H.Percentile(0.999))} | {Us(H.Max)} ({Fmt.Num((double)Result.MaxAt / Stopwatch.Frequency, "0.0")}) "
        + (Api == "none"
            ? "| — | — | — | — | — "
            : $"| {RefusedOrAwaited} | {Fmt.Count(Dropped)} | {(FirstDropAfter is double s ? $"{Fmt.Num(s, "0.0")} s" : "—")} | {Fmt.MiB(BufferedAtEnd)} | {Fmt.Bytes(Written)} ")
        + $"| {GcText} | {PreemptedText} | {Fmt.Num(Load)} |";

    public string Describe() =>
        $"{Scenario} {Protocol} {ApiName} ({Server}): {Fmt.Count(H.Count)} calls in {Fmt.Num(Result.Seconds, "0.00")} s ({Fmt.Rate(Result.CallsPerSecond)}/s of {Fmt.Rate(Result.Rate)}/s), "
        + $"p50 {Us(H.Percentile(0.50))} µs, p99 {Us(H.Percentile(0.99))} µs, p99.9 {Us(H.Percentile(0.999))} µs, p99.99 {Us(H.Percentile(0.9999))} µs, max {Us(H.Max)} µs at {Fmt.Num((double)Result.MaxAt / Stopwatch.Frequency, "0.000")} s; "
        + $"{Api switch { "trysend" => $"{Fmt.Count(Result.Refused)} returned false", "sendasync" => $"{Fmt.Count(Result.Awaited)} completed asynchronously", _ => "nothing called" }}; "
        + $"dropped {Fmt.Count(Dropped)} (first after {(FirstDropAfter is double s ? $"{Fmt.Num(s, "0.0")} s" : "—")}), buffered at end {Fmt.MiB(BufferedAtEnd)}, written {Fmt.Bytes(Written)}, reconnects {Reconnects}, "
        + $"allocated {Fmt.Bytes(Allocated)} (process), GCs {GcText} ms paused, producer preempted {PreemptedText} times, load {Fmt.Num(Load)}"
        + Environment.NewLine + $"  per second, slowest call µs: {string.Join(' ', Result.PerSecond().Select(x => Us(x.MaxTicks)))}"
        + (BufferedAtSecond.Count == 0 ? string.Empty : Environment.NewLine + $"  per second, buffered MiB:    {string.Join(' ', BufferedAtSecond.Select(b => Fmt.Num(b / 1048576.0, "0.0")))}");

    private static string Us(long ticks)
    {
        double us = LatencyHistogram.Microseconds(ticks);
        return Fmt.Num(us, us < 10 ? "0.00" : us < 1000 ? "0.0" : "#,0");
    }
}
