using AioGraphite.Bench;
using AioGraphite.TestUtilities;

namespace AioGraphite.Throughput;

/// <summary>
/// One side of an interleaved A/B (<see cref="InterleavedAb"/>): a client of the build loaded into this side's load
/// context, connected to its own loopback sink, sending the standard workload through <c>SendMultipleAsync</c> in
/// chunks on the caller's thread. Called by reflection across load contexts, so its entry points take and return only
/// framework types. It uses nothing but the public API that every build since the first has had.
/// </summary>
internal sealed class InterleavedSide
{
    private readonly LoopbackSink _sink;
    private readonly GraphiteClient _client;
    private readonly Workload _workload;
    private readonly Datapoint[] _batch;
    private long _next;

    private InterleavedSide(LoopbackSink sink, GraphiteClient client, int batchSize)
    {
        _sink = sink;
        _client = client;
        _workload = new Workload(batchSize);
        _batch = new Datapoint[batchSize];
    }

    /// <summary>Starts a sink and a client of <paramref name="protocol"/> (the tool's client options, waiting when full).</summary>
    public static object Start(string protocol, int batchSize)
    {
        var sink = new LoopbackSink(SinkCounting.BytesOnly);
        var options = new GraphiteClientOptions { FullBufferPolicy = FullBufferPolicy.Wait, FullBufferWaitTimeout = TimeSpan.FromMinutes(5) };
        GraphiteClient client = GraphiteClient.ConnectAsync("127.0.0.1", sink.Port, ClientRun.NewProtocol(protocol), options).GetAwaiter().GetResult();
        return new InterleavedSide(sink, client, batchSize);
    }

    /// <summary>
    /// Sends <paramref name="batches"/> batches on the calling thread and returns its CPU nanoseconds per point (its own
    /// CPU clock, so a wait for room costs nothing); then waits, untimed, until the client has handed everything to its
    /// socket, so that the next chunk (of either side) starts with an empty buffer.
    /// </summary>
    public static double Chunk(object side, int batches)
    {
        var s = (InterleavedSide)side;
        long cpu0 = ThreadCpu.Nanoseconds();
        for (int i = 0; i < batches; i++)
        {
            s._workload.Fill(s._batch, s._next++);
            ValueTask send = s._client.SendMultipleAsync(s._batch);
            if (!send.IsCompletedSuccessfully)
            {
                send.AsTask().GetAwaiter().GetResult();
            }
        }

        long cpu1 = ThreadCpu.Nanoseconds();
        s._client.FlushAsync().GetAwaiter().GetResult();
        return (double)(cpu1 - cpu0) / ((long)batches * s._batch.Length);
    }

    /// <summary>Closes the client and the sink.</summary>
    public static void Stop(object side)
    {
        var s = (InterleavedSide)side;
        s._client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        s._sink.Dispose();
    }
}
