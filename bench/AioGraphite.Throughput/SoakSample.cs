namespace AioGraphite.Throughput;

/// <summary>One look at a soak run: the live managed heap (after a full collection), the resident set, the client's counts.</summary>
internal sealed record SoakSample(double Seconds, long HeapBytes, long RssBytes, long Sent, GraphiteClientStatistics Stats)
{
    /// <summary>Takes a sample <paramref name="seconds"/> into the run (forces a full, blocking collection first).</summary>
    public static SoakSample Take(double seconds, SoakProducer producer, GraphiteClient client)
    {
        long heap = GC.GetTotalMemory(forceFullCollection: true);
        return new SoakSample(seconds, heap, Environment.WorkingSet, producer.Sent, client.Statistics);
    }

    public string Describe() =>
        $"[{Seconds,7:0} s] heap {HeapBytes / 1024.0,10:N1} KiB  rss {RssBytes / 1048576.0,7:N1} MiB  sent {Fmt.Count(Sent)}  delivered {Fmt.Count(Stats.PointsDelivered)}  "
        + $"dropped {Fmt.Count(Stats.PointsDropped)}  buffered {Fmt.Bytes(Stats.BufferedBytes)}  spool {Fmt.Bytes(Stats.Spool.Bytes)}  load {Machine.Load()}";
}
