using AioGraphite.Bench;
using AioGraphite.Naming;
using AioGraphite.Pipeline;
using AioGraphite.Protocols;
using BenchmarkDotNet.Attributes;

namespace AioGraphite.Benchmarks;

/// <summary>
/// Formatting 1000 realistic points into one reused segment through the internal <see cref="WireFormat"/>,
/// exactly as the client's buffer does under its lock. Numbers are per point (OperationsPerInvoke = 1000).
/// </summary>
[MemoryDiagnoser]
public abstract class WireFormatBenchmarks
{
    private const int Points = 1000;
    private Datapoint[] _points = [];
    private PreparedPoint[] _prepared = [];
    private Segment _segment = new(1);
    private IGraphiteProtocol _protocol = new PlaintextProtocol();

    private protected abstract WireFormat Format { get; }

    private protected abstract IGraphiteProtocol CreateProtocol();

    [GlobalSetup]
    public void Setup()
    {
        _points = new Workload(Points).NewBatch();
        _prepared = new PreparedPoint[Points];
        for (int i = 0; i < Points; i++)
        {
            ref readonly Datapoint p = ref _points[i];
            if (MetricNameRules.Check(p.Metric, out int length) is string error)
            {
                throw new InvalidOperationException(error);
            }

            _prepared[i] = new PreparedPoint(Format.Encode(default, p.Metric, length, default), p.Value, p.Timestamp!.Value);
        }

        _segment = new Segment(256 * 1024);
        _protocol = CreateProtocol();
    }

    /// <summary>Formatting alone, as the client's buffer does under its lock: names already checked and encoded, one call for the batch.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Points)]
    public int FormatOnly()
    {
        WireFormat format = Format;
        Segment segment = _segment;
        segment.Reset();
        format.BeginFrame(segment);
        format.Write(segment, _prepared);
        format.EndFrame(segment);
        return segment.Length;
    }

    /// <summary>A name's first send, for every point: the edge checks (name, value, timestamp, line length), encoding the name, then formatting.</summary>
    [Benchmark(OperationsPerInvoke = Points)]
    public int CheckAndFormat()
    {
        WireFormat format = Format;
        Segment segment = _segment;
        segment.Reset();
        format.BeginFrame(segment);
        Datapoint[] points = _points;
        for (int i = 0; i < points.Length; i++)
        {
            ref readonly Datapoint p = ref points[i];
            long ts = p.Timestamp!.Value;
            if (DatapointRules.Check(p.Metric, p.Value, ts, 0, 0, MetricNameRules.MaxLineBytes, out int length) is not null)
            {
                throw new InvalidOperationException();
            }

            PreparedPoint prepared = new(format.Encode(default, p.Metric, length, default), p.Value, ts);
            format.Write(segment, new ReadOnlySpan<PreparedPoint>(in prepared));
        }

        format.EndFrame(segment);
        return segment.Length;
    }

    /// <summary>The public <see cref="IGraphiteProtocol.GenerateMessage"/>: returns a new array per call, by design.</summary>
    [Benchmark(OperationsPerInvoke = Points)]
    public byte[] GenerateMessage() => _protocol.GenerateMessage(_points);
}
