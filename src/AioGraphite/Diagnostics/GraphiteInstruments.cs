using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AioGraphite.Diagnostics;

/// <summary>
/// The client's self-metrics on a <see cref="Meter"/> named <c>AioGraphite</c> (one per client). Every measurement
/// carries the destination's <c>server.address</c> and <c>server.port</c>; counters are touched once per batch, never per point.
/// </summary>
internal sealed class GraphiteInstruments : IDisposable
{
    public const string MeterName = "AioGraphite";

    private readonly Meter _meter;
    private readonly Counter<long> _pointsSent;
    private readonly Counter<long> _pointsDropped;
    private readonly Counter<long> _bytesWritten;
    private readonly Counter<long> _reconnects;
    private readonly Counter<long> _pointsReplayed;
    private readonly Counter<long> _pointsDelivered;
    private readonly Counter<long> _spooledPoints;
    private readonly Counter<long> _spoolEvents;
    private readonly Histogram<double> _spoolSync;

    public GraphiteInstruments(IMeterFactory? meterFactory, Func<IEnumerable<Measurement<long>>> bufferedBytes, Func<IEnumerable<Measurement<long>>> bufferedPoints, Func<IEnumerable<Measurement<long>>> inFlightPoints)
    {
        var options = new MeterOptions(MeterName) { Version = typeof(GraphiteInstruments).Assembly.GetName().Version?.ToString() };
        _meter = meterFactory?.Create(options) ?? new Meter(options);
        _pointsSent = _meter.CreateCounter<long>("aiographite.points.sent", "{point}", "Datapoints written to the socket for the first time.");
        _pointsDropped = _meter.CreateCounter<long>("aiographite.points.dropped", "{point}", "Datapoints dropped or rejected, by reason (buffer_full, invalid, close_timeout, transport_error, connection_lost).");
        _bytesWritten = _meter.CreateCounter<long>("aiographite.bytes.written", "By", "Bytes written to the socket, replays included.");
        _reconnects = _meter.CreateCounter<long>("aiographite.reconnects", "{connection}", "Successful reconnections after a lost or failed connection.");
        _pointsReplayed = _meter.CreateCounter<long>("aiographite.points.replayed", "{point}", "Datapoints written again after a reconnect (replay window).");
        _pointsDelivered = _meter.CreateCounter<long>("aiographite.points.delivered", "{point}", "Datapoints carbon's process has read (kernel evidence on Linux, carbon's orderly close everywhere).");
        _meter.CreateObservableGauge("aiographite.buffer.bytes", bufferedBytes, "By", "Bytes of sealed batches waiting to be written.");
        _meter.CreateObservableGauge("aiographite.buffer.points", bufferedPoints, "{point}", "Datapoints accepted and not yet written.");
        _meter.CreateObservableGauge("aiographite.points.in_flight", inFlightPoints, "{point}", "Datapoints written and not yet consumed by carbon.");
        _spooledPoints = _meter.CreateCounter<long>("aiographite.spool.points", "{point}", "Datapoints written to the disk spool and synced.");
        _spoolEvents = _meter.CreateCounter<long>("aiographite.spool.events", "{event}", "Spool events, by kind (recovered_points, torn_tail, quarantined_file, damaged_record, damaged_points, quarantine_pruned, error, record_lost).");
        _spoolSync = _meter.CreateHistogram<double>("aiographite.spool.sync.duration", "ms", "How long a sync (fsync) of the disk spool took.");
    }

    /// <summary>The tags of one destination.</summary>
    public static TagList TagsFor(string host, int port) => new() { { "server.address", host }, { "server.port", port } };

    public void PointsSent(long count, in TagList tags) => _pointsSent.Add(count, tags);

    public void BytesWritten(long count, in TagList tags) => _bytesWritten.Add(count, tags);

    public void Reconnected(in TagList tags) => _reconnects.Add(1, tags);

    public void PointsReplayed(long count, in TagList tags) => _pointsReplayed.Add(count, tags);

    public void PointsDelivered(long count, in TagList tags) => _pointsDelivered.Add(count, tags);

    public void Spooled(long points, TimeSpan syncDuration, in TagList tags)
    {
        _spooledPoints.Add(points, tags);
        _spoolSync.Record(syncDuration.TotalMilliseconds, tags);
    }

    public void SpoolEvent(string kind, long count, in TagList destinationTags)
    {
        TagList tags = destinationTags;
        tags.Add("kind", kind);
        _spoolEvents.Add(count, tags);
    }

    /// <summary>Registers a gauge read on each collection (the spool's size, only when there is a spool).</summary>
    public void ObserveGauge(string name, string unit, string description, Func<IEnumerable<Measurement<long>>> observe) =>
        _meter.CreateObservableGauge(name, observe, unit, description);

    public void PointsDropped(long count, string reason, in TagList destinationTags)
    {
        TagList tags = destinationTags;
        tags.Add("reason", reason);
        _pointsDropped.Add(count, tags);
    }

    public void Dispose() => _meter.Dispose();
}
