using AioGraphite.Protocols;
using BenchmarkDotNet.Attributes;

namespace AioGraphite.Benchmarks;

/// <summary>
/// <see cref="PlaintextFormat.FormatValue"/> alone on the workload's values of one shape (<see cref="Shape"/>):
/// 1000 values per invocation, numbers per value. <see cref="PlaintextFormatBenchmarks"/> has the mix of all four.
/// </summary>
[MemoryDiagnoser]
public class FormatValueBenchmarks
{
    private const int Values = 1000;
    private readonly byte[] _scratch = new byte[64];
    private double[] _values = [];

    /// <summary>
    /// The workload's four value shapes: <c>Percent</c> has two decimals (<c>37.25</c>), <c>Ratio</c> four
    /// (<c>0.0734</c>), <c>Rate</c> one (<c>1834523.5</c>); <c>Full</c> is a full-precision double (17 digits).
    /// </summary>
    [Params("Percent", "Ratio", "Rate", "Full")]
    public string Shape { get; set; } = "Full";

    [GlobalSetup]
    public void Setup()
    {
        // The workload cycles through its shapes: value i of batch 0 has shape i % 4.
        int shape = Array.IndexOf(["Percent", "Ratio", "Rate", "Full"], Shape);
        var workload = new Bench.Workload(4 * Values);
        _values = [.. Enumerable.Range(0, Values).Select(i => workload.ValueAt(0, (4 * i) + shape))];
    }

    /// <summary>The code before issue 17: fast paths for few decimals, then .NET's formatter.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Values)]
    public int Before()
    {
        int n = 0;
        foreach (double v in _values)
        {
            n += LegacyFormatValue.Format(v, _scratch);
        }

        return n;
    }

    /// <summary>What the client runs now.</summary>
    [Benchmark(OperationsPerInvoke = Values)]
    public int FormatValue()
    {
        int n = 0;
        foreach (double v in _values)
        {
            n += PlaintextFormat.FormatValue(v, _scratch);
        }

        return n;
    }

    /// <summary><see cref="ShortestDouble"/> alone, without any fast path in front.</summary>
    [Benchmark(OperationsPerInvoke = Values)]
    public int ShortestDoubleOnly()
    {
        int n = 0;
        foreach (double v in _values)
        {
            n += ShortestDouble.Format(v, _scratch);
        }

        return n;
    }
}
