namespace AioGraphite.Throughput;

/// <summary>One measured run: the client through the public API and, in the same run, the raw-socket ceiling.</summary>
internal sealed record RunMeasurement
{
    public required string Protocol { get; init; }

    public required long Points { get; init; }

    /// <summary>First send to the sink having counted every point.</summary>
    public required double ClientSeconds { get; init; }

    /// <summary>First send to <c>FlushAsync</c> completing (everything handed to the socket).</summary>
    public required double ClientFlushSeconds { get; init; }

    public required long ClientBytes { get; init; }

    /// <summary>Bytes allocated by the whole process during the client run (sender loop and sink included).</summary>
    public required long ProcessAllocatedBytes { get; init; }

    /// <summary>
    /// Bytes allocated by the whole process from the middle of the sends to the end of the run: steady state, after
    /// the client's buffer and replay window have grown to their working size; -1 when not measured (TrySend).
    /// </summary>
    public required long SecondHalfAllocatedBytes { get; init; }

    /// <summary>Bytes allocated on the producer's thread inside the send calls.</summary>
    public required long ProducerAllocatedBytes { get; init; }

    /// <summary>The client's name-cache hits over all its name lookups (<see cref="AioGraphite.GraphiteClientStatistics.NameCacheHits"/>).</summary>
    public required double NameCacheHitRate { get; init; }

    public required int Gen0 { get; init; }

    public required int Gen2 { get; init; }

    /// <summary>CPU seconds of the whole process during the client run.</summary>
    public required double ClientCpuSeconds { get; init; }

    /// <summary>CPU seconds of the producer's thread over the second half of its sends (its own CPU clock; NaN when unknown).</summary>
    public double ProducerCpuSeconds { get; init; } = double.NaN;

    /// <summary>The points <see cref="ProducerCpuSeconds"/> covers.</summary>
    public long ProducerCpuPoints { get; init; }

    /// <summary>The lower quartile of the producer's CPU nanoseconds per point over chunks of the second half (<see cref="ProducerCpuChunks"/>).</summary>
    public double ProducerNsLowerQuartile { get; init; } = double.NaN;

    /// <summary>Calls that found the buffer full and had to wait.</summary>
    public required long Waits { get; init; }

    /// <summary>With <c>--alloc-types</c>: sampled bytes per allocated type in the second half of the sends.</summary>
    public IReadOnlyList<(string Type, long Bytes)> SampledAllocations { get; init; } = [];

    public required double CeilingSeconds { get; init; }

    public required long CeilingBytes { get; init; }

    public required double Load { get; init; }

    public double ClientPointsPerSecond => Points / ClientSeconds;

    public double ClientBytesPerSecond => ClientBytes / ClientSeconds;

    public double CeilingPointsPerSecond => Points / CeilingSeconds;

    public double CeilingBytesPerSecond => CeilingBytes / CeilingSeconds;

    public double SecondHalfBytesPerPoint => SecondHalfAllocatedBytes < 0 ? double.NaN : SecondHalfAllocatedBytes / (Points / 2.0);

    /// <summary>Producer thread CPU nanoseconds per point (second half of the sends: the steady state).</summary>
    public double ProducerNsPerPoint => ProducerCpuSeconds * 1e9 / ProducerCpuPoints;

    /// <summary>Whole-process CPU nanoseconds per point (sender loop, sink and GC included).</summary>
    public double ProcessNsPerPoint => ClientCpuSeconds * 1e9 / Points;

    public double Ratio => ClientPointsPerSecond / CeilingPointsPerSecond;
}
