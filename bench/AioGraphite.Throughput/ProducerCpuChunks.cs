using AioGraphite.Bench;

namespace AioGraphite.Throughput;

/// <summary>
/// The producer thread's CPU per point over consecutive chunks of <see cref="BatchesPerChunk"/> batches of the measured
/// half (its own CPU clock, <see cref="ThreadCpu"/>). The lower quartile of the chunks is the A/B script's steadiest
/// figure: what disturbs a producer on this machine (the sender loop and the sink on the other core, the VM's
/// neighbours, a page fault, a collection) only ever adds time to a chunk, so the cheaper chunks show what the code
/// costs, and the quartile moves far less from run to run than the whole half's mean.
/// </summary>
internal sealed class ProducerCpuChunks
{
    /// <summary>Batches per chunk (32,000 points of the standard 1000-point batch: a few milliseconds of CPU).</summary>
    public const int BatchesPerChunk = 32;

    private readonly List<double> _nsPerPoint = [];
    private long _chunkStartNs = -1;
    private long _chunkPoints;
    private int _chunkBatches;

    /// <summary>Starts the first chunk (the measured half begins).</summary>
    public void Start()
    {
        _chunkStartNs = ThreadCpu.Nanoseconds();
        _chunkPoints = 0;
        _chunkBatches = 0;
    }

    /// <summary>A batch of <paramref name="points"/> was sent; ends the chunk after every <see cref="BatchesPerChunk"/> batches.</summary>
    public void Sent(int points)
    {
        if (_chunkStartNs < 0)
        {
            return;
        }

        _chunkPoints += points;
        if (++_chunkBatches < BatchesPerChunk)
        {
            return;
        }

        long now = ThreadCpu.Nanoseconds();
        if (now >= 0)
        {
            _nsPerPoint.Add((double)(now - _chunkStartNs) / _chunkPoints);
        }

        _chunkStartNs = now;
        _chunkPoints = 0;
        _chunkBatches = 0;
    }

    /// <summary>Chunks measured.</summary>
    public int Count => _nsPerPoint.Count;

    /// <summary>The lower quartile of the chunks' CPU nanoseconds per point; NaN with fewer than four chunks.</summary>
    public double LowerQuartileNsPerPoint
    {
        get
        {
            if (_nsPerPoint.Count < 4)
            {
                return double.NaN;
            }

            double[] sorted = [.. _nsPerPoint.Order()];
            return sorted[(sorted.Length - 1) / 4];
        }
    }
}
