using System.Diagnostics;
using AioGraphite.Bench;
using System.Runtime.CompilerServices;

namespace AioGraphite.Throughput;

/// <summary>
/// One producer sending a workload through the public API, then <c>FlushAsync</c>: the client half of every mode.
/// </summary>
internal sealed class ClientRun
{
    public required GraphiteClient Client { get; init; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> of the first send.</summary>
    public long Started { get; private set; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> when <c>FlushAsync</c> completed: everything handed to the socket.</summary>
    public long Flushed { get; private set; }

    /// <summary>Bytes allocated by the whole process from the middle of the sends to the flush; -1 when not measured.</summary>
    public long SecondHalfAllocated { get; private set; } = -1;

    /// <summary>Bytes allocated on the producer's thread inside the send calls.</summary>
    public long ProducerAllocated { get; private set; }

    /// <summary>When set, restarted at the middle of the sends and stopped at the flush: what the steady state allocates.</summary>
    public AllocationSampler? Sampler { get; init; }

    /// <summary>The <see cref="Sampler"/>'s result for this run.</summary>
    public IReadOnlyList<(string Type, long Bytes)> SampledAllocations { get; private set; } = [];

    /// <summary>
    /// CPU seconds of the producer's thread over the second half of its sends (its own CPU clock, <see cref="ThreadCpu"/>;
    /// NaN where it cannot be read): the steady state, after the JIT's tiers have settled and the client's buffer has
    /// been touched once (a new client's first segments are fresh pages, faulted in on the producer's thread). The
    /// sends run on one dedicated thread that blocks (costing no CPU) when the buffer is full, so this is what the
    /// caller's thread pays for its points.
    /// </summary>
    public double ProducerCpuSeconds { get; private set; } = double.NaN;

    /// <summary>The points <see cref="ProducerCpuSeconds"/> covers (the second half of the sends).</summary>
    public long ProducerCpuPoints { get; private set; }

    /// <summary>The producer's CPU per point in chunks of the second half of the sends (the A/B script's lower quartile).</summary>
    public ProducerCpuChunks ProducerChunks { get; } = new();

    /// <summary>Calls that found the buffer full and waited (SendMultipleAsync) or refusals retried (TrySend).</summary>
    public long Waits { get; private set; }

    public static async Task<ClientRun> StartAsync(string protocolName, int port, ToolOptions options, AllocationSampler? sampler = null, GraphiteTlsOptions? tls = null)
    {
        GraphiteClientOptions clientOptions = options.ClientOptions(FullBufferPolicy.Wait) with { Tls = tls };
        GraphiteClient client = await GraphiteClient.ConnectAsync("127.0.0.1", port, NewProtocol(protocolName), clientOptions).ConfigureAwait(false);
        return new ClientRun { Client = client, Sampler = sampler };
    }

    public static IGraphiteProtocol NewProtocol(string name) => name == "pickle" ? new PickleProtocol() : new PlaintextProtocol();

    /// <summary>Sends <paramref name="batches"/> batches of <paramref name="workload"/> on a dedicated thread, then flushes.</summary>
    public async Task SendAsync(Workload workload, long batches, string api)
    {
        var batch = new Datapoint[workload.BatchSize];
        var producer = new Thread(() => Produce(workload, batch, batches, api)) { Name = "producer", IsBackground = true };
        producer.Start();
        await Task.Run(producer.Join).ConfigureAwait(false);
        await Client.FlushAsync().ConfigureAwait(false);
        Flushed = Stopwatch.GetTimestamp();
        SampledAllocations = Sampler?.Stop() ?? [];
        if (SecondHalfAllocated >= 0)
        {
            SecondHalfAllocated = GC.GetTotalAllocatedBytes(precise: true) - SecondHalfAllocated;
        }
    }

    /// <summary>The producer thread: every send, timed on its own CPU clock.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Produce(Workload workload, Datapoint[] batch, long batches, string api)
    {
        long cpu0 = -1;
        Started = Stopwatch.GetTimestamp();
        if (api == "trysend")
        {
            SendWithTrySend(workload, batch, batches, () =>
            {
                Sampler?.Restart();
                cpu0 = ThreadCpu.Nanoseconds();
                ProducerChunks.Start();
            });
        }
        else
        {
            for (long b = 0; b < batches; b++)
            {
                if (b == batches / 2)
                {
                    SecondHalfAllocated = GC.GetTotalAllocatedBytes(precise: true);
                    Sampler?.Restart();
                    cpu0 = ThreadCpu.Nanoseconds();
                    ProducerChunks.Start();
                }

                workload.Fill(batch, b);
                long before = GC.GetAllocatedBytesForCurrentThread();
                ValueTask send = Client.SendMultipleAsync(batch);
                ProducerAllocated += GC.GetAllocatedBytesForCurrentThread() - before;
                if (!send.IsCompletedSuccessfully)
                {
                    Waits++;
                    send.AsTask().GetAwaiter().GetResult(); // blocks this thread: waiting costs no CPU
                }

                ProducerChunks.Sent(batch.Length);
            }
        }

        long cpu1 = ThreadCpu.Nanoseconds();
        ProducerCpuSeconds = cpu0 < 0 || cpu1 < 0 ? double.NaN : (cpu1 - cpu0) / 1e9;
        ProducerCpuPoints = (batches - (batches / 2)) * batch.Length;
    }

    /// <summary>One <c>TrySend</c> per point; a refusal (buffer full) is retried after yielding the thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SendWithTrySend(Workload workload, Datapoint[] batch, long batches, Action halfway)
    {
        GraphiteClient client = Client;
        long waits = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (long b = 0; b < batches; b++)
        {
            if (b == batches / 2)
            {
                halfway();
            }

            workload.Fill(batch, b);
            foreach (ref readonly Datapoint p in batch.AsSpan())
            {
                while (!client.TrySend(p.Metric, p.Value, p.Timestamp))
                {
                    waits++;
                    Thread.Yield();
                }
            }

            ProducerChunks.Sent(batch.Length);
        }

        Waits = waits;
        ProducerAllocated = GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
