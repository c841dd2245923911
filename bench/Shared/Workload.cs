using System.Runtime.CompilerServices;

namespace AioGraphite.Bench;

/// <summary>
/// The datapoints every benchmark sends: realistic metric names (<c>servers.web042.cpu.user</c>, 100 hosts ×
/// 10 series), non-integral values of the shapes real metrics have, and a distinct timestamp per batch, so that
/// each (name, timestamp) pair is sent once. Batches are filled in place: a producer reuses one array.
/// </summary>
internal sealed class Workload
{
    /// <summary>Unix seconds of the first batch (2023-11-14), ten digits like every current timestamp.</summary>
    public const long FirstTimestamp = 1_700_000_000;

    private static readonly string[] Series =
    [
        "cpu.user", "cpu.system", "cpu.iowait", "memory.used", "memory.cached",
        "disk.sda.read_bytes", "disk.sda.write_bytes", "net.eth0.rx_packets", "net.eth0.tx_packets", "load.shortterm",
    ];

    private readonly string[] _names;
    private readonly double[] _values;

    public Workload(int batchSize = 1000, int seed = 42, long firstTimestamp = FirstTimestamp)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        BatchSize = batchSize;
        StartTimestamp = firstTimestamp;
        _names = new string[batchSize];
        for (int i = 0; i < batchSize; i++)
        {
            int host = i / Series.Length;
            _names[i] = $"servers.web{host % 1000:D3}.{Series[i % Series.Length]}";
        }

        // Four shapes, in turn: a percentage with two decimals (37.25), a ratio with four (0.0734),
        // a large counter rate with one (1834523.5) and a full-precision double (123.45678901234567).
        var random = new Random(seed);
        _values = new double[4096];
        for (int i = 0; i < _values.Length; i++)
        {
            double x = random.NextDouble();
            double v = (i % 4) switch
            {
                0 => Math.Round(x * 100, 2),
                1 => Math.Round(x, 4),
                2 => Math.Round(x * 1e7, 1),
                _ => x * 1000,
            };
            _values[i] = v == Math.Floor(v) ? v + 0.5 : v;
        }
    }

    public int BatchSize { get; }

    /// <summary>Timestamp of batch 0; batch <c>b</c> has <c>StartTimestamp + b</c>.</summary>
    public long StartTimestamp { get; }

    /// <summary>The distinct metric names, one per position in a batch.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>Writes batch number <paramref name="batchIndex"/> into <paramref name="batch"/> (no allocation).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Fill(Datapoint[] batch, long batchIndex)
    {
        long timestamp = StartTimestamp + batchIndex;
        for (int i = 0; i < batch.Length; i++)
        {
            batch[i] = new Datapoint(_names[i], ValueAt(batchIndex, i), timestamp);
        }
    }

    /// <summary>The value of point <paramref name="index"/> of batch <paramref name="batchIndex"/>.</summary>
    public double ValueAt(long batchIndex, int index) => _values[(int)(((batchIndex * 7) + index) & (_values.Length - 1))];

    /// <summary>A new array holding batch number <paramref name="batchIndex"/>.</summary>
    public Datapoint[] NewBatch(long batchIndex = 0)
    {
        var batch = new Datapoint[BatchSize];
        Fill(batch, batchIndex);
        return batch;
    }
}
