using AioGraphite.Protocols;
using BenchmarkDotNet.Attributes;

namespace AioGraphite.Benchmarks;

/// <summary>Plaintext lines (<c>metric value timestamp\n</c>); see <see cref="WireFormatBenchmarks"/>.</summary>
public class PlaintextFormatBenchmarks : WireFormatBenchmarks
{
    private readonly byte[] _scratch = new byte[64];
    private readonly double[] _values = new Bench.Workload(1000).NewBatch().Select(p => p.Value).ToArray();

    private protected override WireFormat Format => PlaintextFormat.Instance;

    private protected override IGraphiteProtocol CreateProtocol() => new PlaintextProtocol();

    /// <summary>The shortest round-trip double formatting alone: the largest part of a plaintext line's cost.</summary>
    [Benchmark(OperationsPerInvoke = 1000)]
    public int FormatValueOnly()
    {
        int n = 0;
        foreach (double v in _values)
        {
            n += PlaintextFormat.FormatValue(v, _scratch);
        }

        return n;
    }
}
