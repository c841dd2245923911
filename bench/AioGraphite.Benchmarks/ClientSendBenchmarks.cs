using AioGraphite.Bench;
using AioGraphite.TestUtilities;
using BenchmarkDotNet.Attributes;

namespace AioGraphite.Benchmarks;

/// <summary>
/// The client's public send paths into a loopback sink that reads and discards: <c>SendMultipleAsync</c> of one
/// reused 1000-point array, and 1000 <c>TrySend</c> calls. The time is the caller's cost per point while the sender
/// loop drains in the background (on the other core); with <see cref="FullBufferPolicy.Wait"/> a full buffer makes
/// the caller wait, so the number can never beat the drain rate. MemoryDiagnoser counts the whole process
/// (sender loop included), so allocations per point here are the pipeline's, not only the caller's.
/// </summary>
[MemoryDiagnoser]
public class ClientSendBenchmarks
{
    private const int Points = 1000;
    private LoopbackSink? _sink;
    private GraphiteClient? _client;
    private Datapoint[] _batch = [];
    private long _trySendRetries;

    [Params("plaintext", "pickle")]
    public string Protocol { get; set; } = "plaintext";

    [GlobalSetup]
    public void Setup()
    {
        _sink = new LoopbackSink(SinkCounting.BytesOnly);
        IGraphiteProtocol protocol = Protocol == "pickle" ? new PickleProtocol() : new PlaintextProtocol();
        var options = new GraphiteClientOptions { FullBufferPolicy = FullBufferPolicy.Wait, FullBufferWaitTimeout = TimeSpan.FromMinutes(1) };
        _client = GraphiteClient.ConnectAsync("127.0.0.1", _sink.Port, protocol, options).GetAwaiter().GetResult();
        _batch = new Workload(Points).NewBatch();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        GraphiteClientStatistics stats = _client!.Statistics;
        _client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Console.WriteLine($"// {Protocol}: accepted {stats.PointsAccepted:N0}, written {stats.PointsWritten:N0}, dropped {stats.PointsDropped:N0}, TrySend retries on a full buffer {_trySendRetries:N0}; sink received {_sink!.Bytes:N0} bytes");
        _sink.Dispose();
    }

    /// <summary>One call with a reused array of 1000 points (the allocation-free path for arrays).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Points)]
    public ValueTask SendMultiple() => _client!.SendMultipleAsync(_batch);

    /// <summary>1000 <c>TrySend</c> calls; a refusal (buffer full) is retried after yielding, so every point is sent.</summary>
    [Benchmark(OperationsPerInvoke = Points)]
    public int TrySend()
    {
        int retries = TrySendAll(_client!, _batch);
        _trySendRetries += retries;
        return retries;
    }

    /// <summary>One <c>TrySend</c> per point of <paramref name="batch"/>, each refusal (buffer full) retried after yielding; returns the retries.</summary>
    internal static int TrySendAll(GraphiteClient client, Datapoint[] batch)
    {
        int retries = 0;
        for (int i = 0; i < batch.Length; i++)
        {
            ref readonly Datapoint p = ref batch[i];
            while (!client.TrySend(p.Metric, p.Value, p.Timestamp))
            {
                retries++;
                Thread.Yield();
            }
        }

        return retries;
    }
}
