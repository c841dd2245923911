using AioGraphite.Bench;
using BenchmarkDotNet.Attributes;

namespace AioGraphite.Benchmarks;

/// <summary>
/// The producer's cost per point through the public API, with a connection that discards the bytes
/// (<see cref="DiscardingConnectionFactory"/>), so no sink and no socket share the CPU: <c>SendMultipleAsync</c> of a
/// reused 1000-point array of the standard workload (a quarter of the values at full precision, distinct names), and
/// 1000 <c>TrySend</c> calls. The sender loop still runs (on the other core) and returns the segments; the buffer is
/// large enough that the producer never waits for it.
/// </summary>
[MemoryDiagnoser]
public class ProducerBenchmarks
{
    private const int Points = 1000;
    private GraphiteClient? _client;
    private Datapoint[][] _batches = [];
    private int _next;

    [Params("plaintext", "pickle")]
    public string Protocol { get; set; } = "plaintext";

    [GlobalSetup]
    public void Setup()
    {
        IGraphiteProtocol protocol = Protocol == "pickle" ? new PickleProtocol() : new PlaintextProtocol();
        var options = new GraphiteClientOptions
        {
            FullBufferPolicy = FullBufferPolicy.Wait,
            FullBufferWaitTimeout = TimeSpan.FromMinutes(1),
            ConnectionFactory = _ => new DiscardingConnectionFactory(),
        };
        _client = GraphiteClient.ConnectAsync("127.0.0.1", 2003, protocol, options).GetAwaiter().GetResult();

        // 64 batches with their own timestamps and values: the values cycle through the workload's four shapes.
        var workload = new Workload(Points);
        _batches = [.. Enumerable.Range(0, 64).Select(b => workload.NewBatch(b))];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        GraphiteClientStatistics stats = _client!.Statistics;
        _client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Console.WriteLine($"// {Protocol}: accepted {stats.PointsAccepted:N0}, written {stats.PointsWritten:N0}, dropped {stats.PointsDropped:N0}");
    }

    /// <summary>One call with a 1000-point array.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Points)]
    public ValueTask SendMultiple() => _client!.SendMultipleAsync(_batches[_next++ & 63]);

    /// <summary>1000 <c>TrySend</c> calls; a refusal (buffer full) is retried after yielding, so every point is sent.</summary>
    [Benchmark(OperationsPerInvoke = Points)]
    public int TrySend() => ClientSendBenchmarks.TrySendAll(_client!, _batches[_next++ & 63]);
}
