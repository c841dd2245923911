using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AioGraphite.Diagnostics;

/// <summary>
/// The client's self-metrics on a <see cref="Meter"/> named <c>AioGraphite</c> (one per client, tagged with
/// <c>server.address</c> and <c>server.port</c>). Instruments are touched once per batch, never per point.
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
    private readonly TagList _tags;

    public GraphiteInstruments(IMeterFactory? meterFactory, string host, int port, Func<long> bufferedBytes, Func<long> bufferedPoints)
    {
        _tags = new TagList { { "server.address", host }, { "server.port", port } };
        var options = new MeterOptions(MeterName) { Version = typeof(GraphiteInstruments).Assembly.GetName().Version?.ToString() };
        _meter = meterFactory?.Create(options) ?? new Meter(options);
        _pointsSent = _meter.CreateCounter<long>("aiographite.points.sent", "{point}", "Datapoints written to the socket for the first time.");
        _pointsDropped = _meter.CreateCounter<long>("aiographite.points.dropped", "{point}", "Datapoints dropped, by reason (buffer_full, invalid, close_timeout, transport_error).");
        _bytesWritten = _meter.CreateCounter<long>("aiographite.bytes.written", "By", "Bytes written to the socket, replays included.");
        _reconnects = _meter.CreateCounter<long>("aiographite.reconnects", "{connection}", "Successful reconnections after a lost or failed connection.");
        _pointsReplayed = _meter.CreateCounter<long>("aiographite.points.replayed", "{point}", "Datapoints written again after a reconnect (replay window).");
        TagList tags = _tags;
        _meter.CreateObservableGauge("aiographite.buffer.bytes", () => new Measurement<long>(bufferedBytes(), tags), "By", "Bytes accepted and not yet written.");
        _meter.CreateObservableGauge("aiographite.buffer.points", () => new Measurement<long>(bufferedPoints(), tags), "{point}", "Datapoints accepted and not yet written.");
    }

    public void PointsSent(long count) => _pointsSent.Add(count, _tags);

    public void BytesWritten(long count) => _bytesWritten.Add(count, _tags);

    public void Reconnected() => _reconnects.Add(1, _tags);

    public void PointsReplayed(long count) => _pointsReplayed.Add(count, _tags);

    public void PointsDropped(long count, string reason)
    {
        TagList tags = _tags;
        tags.Add("reason", reason);
        _pointsDropped.Add(count, tags);
    }

    public void Dispose() => _meter.Dispose();
}
