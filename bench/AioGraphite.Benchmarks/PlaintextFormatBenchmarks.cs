using AioGraphite.Protocols;
using BenchmarkDotNet.Attributes;

namespace AioGraphite.Benchmarks;

/// <summary>Plaintext lines (<c>metric value timestamp\n</c>); see <see cref="WireFormatBenchmarks"/>.</summary>
public class PlaintextFormatBenchmarks : WireFormatBenchmarks
{
    private const int Values = 1000;
    private readonly byte[] _scratch = new byte[64];
    private readonly double[] _values = [.. new Bench.Workload(Values).NewBatch().Select(p => p.Value)];
    private readonly double[] _shortValues = [.. Enumerable.Range(0, Values).Select(i => 0.25 + (i % 400))];
    private readonly double[] _fullValues = [.. Enumerable.Range(0, Values).Select(i => Math.PI * (i + 1) * 1.000001)];

    private protected override WireFormat Format { get; } = new PlaintextFormat();

    private protected override IGraphiteProtocol CreateProtocol() => new PlaintextProtocol();

    /// <summary>The shortest round-trip double formatting alone, on the workload's mix of values.</summary>
    [Benchmark(OperationsPerInvoke = Values)]
    public int FormatValueMix() => FormatAll(_values);

    /// <summary>Short decimals (<c>37.25</c>): the cheap case.</summary>
    [Benchmark(OperationsPerInvoke = Values)]
    public int FormatValueShort() => FormatAll(_shortValues);

    /// <summary>Full-precision doubles (17 significant digits): the expensive case.</summary>
    [Benchmark(OperationsPerInvoke = Values)]
    public int FormatValueFullPrecision() => FormatAll(_fullValues);

    private int FormatAll(double[] values)
    {
        int n = 0;
        foreach (double v in values)
        {
            n += PlaintextFormat.FormatValue(v, _scratch);
        }

        return n;
    }
}
