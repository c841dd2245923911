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
    private int[] _lengths = [];
    private Segment _segment = new(1);
    private IGraphiteProtocol _protocol = new PlaintextProtocol();

    private protected abstract WireFormat Format { get; }

    private protected abstract IGraphiteProtocol CreateProtocol();

    [GlobalSetup]
    public void Setup()
    {
        _points = new Workload(Points).NewBatch();
        _lengths = new int[Points];
        for (int i = 0; i < Points; i++)
        {
            if (MetricNameRules.Check(_points[i].Metric, out _lengths[i]) is string error)
            {
                throw new InvalidOperationException(error);
            }
        }

        _segment = new Segment(256 * 1024);
        _protocol = CreateProtocol();
    }

    /// <summary>Formatting alone: names already validated.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Points)]
    public int FormatOnly()
    {
        WireFormat format = Format;
        Segment segment = _segment;
        segment.Reset();
        format.BeginFrame(segment);
        Datapoint[] points = _points;
        int[] lengths = _lengths;
        for (int i = 0; i < points.Length; i++)
        {
            ref readonly Datapoint p = ref points[i];
            format.TryAppend(segment, new PointText(default, p.Metric, lengths[i], default, p.Value, p.Timestamp!.Value));
        }

        format.EndFrame(segment);
        return segment.Length;
    }

    /// <summary>What the client does per point under its lock: the edge checks (name, value, timestamp, line length), then formatting.</summary>
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

            format.TryAppend(segment, new PointText(default, p.Metric, length, default, p.Value, ts));
        }

        format.EndFrame(segment);
        return segment.Length;
    }

    /// <summary>The public <see cref="IGraphiteProtocol.GenerateMessage"/>: returns a new array per call, by design.</summary>
    [Benchmark(OperationsPerInvoke = Points)]
    public byte[] GenerateMessage() => _protocol.GenerateMessage(_points);
}
