using System.Diagnostics;
using System.Globalization;

namespace AioGraphite.FaultDriver;

/// <summary>What to stream: <c>Metrics</c> series × <c>Steps</c> timestamps, one timestamp per step, at a steady rate.</summary>
/// <param name="Host">carbon's host.</param>
/// <param name="Port">carbon's port (line or pickle).</param>
/// <param name="Protocol"><c>plaintext</c> or <c>pickle</c>.</param>
/// <param name="Prefix">Metric names are <c>{Prefix}.m000</c>, <c>{Prefix}.m001</c>...</param>
/// <param name="Metrics">Series.</param>
/// <param name="Steps">Points per series; step <c>k</c> has timestamp <c>FirstTimestamp + k</c>.</param>
/// <param name="PointsPerSecond">The pace.</param>
/// <param name="FirstTimestamp">The timestamp of step 0 (in the past, within carbon's retention).</param>
public sealed record FaultStreamPlan(string Host, int Port, string Protocol, string Prefix, int Metrics, int Steps, double PointsPerSecond, long FirstTimestamp)
{
    /// <summary>Create the client with <c>GraphiteClient.Create</c> (connect in the background) instead of <c>ConnectAsync</c>.</summary>
    public bool LazyConnect { get; init; }

    /// <summary>How long <see cref="Delivery.WaitForDeliveryAsync"/> may take.</summary>
    public TimeSpan DeliveryTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary><see cref="GraphiteClientOptions.SpoolDirectory"/>; <see langword="null"/> (default) for memory only.</summary>
    public string? SpoolDirectory { get; init; }

    /// <summary><see cref="GraphiteClientOptions.SpoolFileBytes"/> when set.</summary>
    public long? SpoolFileBytes { get; init; }

    /// <summary><see cref="GraphiteClientOptions.SpoolSyncInterval"/> when set.</summary>
    public TimeSpan? SpoolSyncInterval { get; init; }

    /// <summary><see cref="GraphiteClientOptions.ReplayWindow"/> when set.</summary>
    public TimeSpan? ReplayWindow { get; init; }

    /// <summary><see cref="GraphiteClientOptions.BufferCapacityBytes"/> when set.</summary>
    public long? BufferCapacityBytes { get; init; }

    /// <summary><see cref="GraphiteClientOptions.BatchSizeBytes"/> when set.</summary>
    public int? BatchSizeBytes { get; init; }

    /// <summary><see cref="GraphiteClientOptions.Tls"/>; <see langword="null"/> (default) for plain TCP. In-process streams only (the driver has no option for it).</summary>
    public GraphiteTlsOptions? Tls { get; init; }

    /// <summary><see cref="GraphiteClientOptions.DrainTimeout"/> when set: how long the close after the wait for delivery may still try.</summary>
    public TimeSpan? DrainTimeout { get; init; }

    /// <summary>Points in all.</summary>
    public int Points => Metrics * Steps;

    /// <summary>The name of series <paramref name="series"/>.</summary>
    /// <param name="series">0 .. Metrics-1.</param>
    /// <returns>The metric name.</returns>
    public string Metric(int series) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}.m{series:D3}");

    /// <summary>The value of series <paramref name="series"/> at step <paramref name="step"/>: distinct for every point, exact in a double.</summary>
    /// <param name="series">The series.</param>
    /// <param name="step">The step.</param>
    /// <returns>The value.</returns>
    public static double Value(int series, int step) => (series * 10_000.0) + step + 0.25;

    /// <summary>The client options: the defaults, with the plan's spool, replay window, buffer, batch size, TLS and drain timeout where set.</summary>
    /// <returns>The options.</returns>
    public GraphiteClientOptions ClientOptions()
    {
        GraphiteClientOptions d = GraphiteClientOptions.Default;
        return new GraphiteClientOptions
        {
            SpoolDirectory = SpoolDirectory,
            SpoolFileBytes = SpoolFileBytes ?? d.SpoolFileBytes,
            SpoolSyncInterval = SpoolSyncInterval ?? d.SpoolSyncInterval,
            ReplayWindow = ReplayWindow ?? d.ReplayWindow,
            BufferCapacityBytes = BufferCapacityBytes ?? d.BufferCapacityBytes,
            BatchSizeBytes = BatchSizeBytes ?? d.BatchSizeBytes,
            Tls = Tls,
            DrainTimeout = DrainTimeout ?? d.DrainTimeout,
        };
    }
}

/// <summary>What a stream did.</summary>
/// <param name="Statistics">The client's statistics after it closed.</param>
/// <param name="StreamTime">From the first send to the last.</param>
/// <param name="DeliveryTime">How long <see cref="Delivery.WaitForDeliveryAsync"/> and the close took.</param>
/// <param name="Elapsed">From creating the client to closing it.</param>
/// <param name="DeliveryError"><see langword="null"/> when the wait for delivery completed; otherwise why not.</param>
public sealed record FaultStreamResult(GraphiteClientStatistics Statistics, TimeSpan StreamTime, TimeSpan DeliveryTime, TimeSpan Elapsed, string? DeliveryError)
{
    /// <inheritdoc/>
    public override string ToString()
        => string.Create(
            CultureInfo.InvariantCulture,
            $"streamed in {StreamTime.TotalSeconds:0.0} s, delivery wait {DeliveryTime.TotalSeconds:0.0} s{(DeliveryError is null ? string.Empty : $" ({DeliveryError})")}; client statistics: {Statistics}");
}

/// <summary>Streams a <see cref="FaultStreamPlan"/> through the library with default options (but for the plan's spool settings).</summary>
public static class FaultStream
{
    /// <summary>
    /// Creates a client with default <see cref="GraphiteClientOptions"/>, sends every step with <c>SendMultipleAsync</c> at
    /// the plan's pace, calls <paramref name="atStep"/> (without waiting for it) when step <paramref name="markStep"/> is
    /// sent, calls <paramref name="streamed"/> after the last step, then waits for delivery
    /// (<see cref="Delivery.WaitForDeliveryAsync"/>) and closes.
    /// </summary>
    /// <param name="plan">What to send.</param>
    /// <param name="markStep">The step after which <paramref name="atStep"/> runs; -1 for none.</param>
    /// <param name="atStep">Called once, e.g. to start a fault mid-stream.</param>
    /// <param name="streamed">Called once every point was sent (the CPU-heavy part is over), before the wait for delivery.</param>
    /// <param name="opened">Called with the client once it is created, before the first point (e.g. to watch its statistics).</param>
    /// <param name="cancellationToken">Cancels everything.</param>
    /// <returns>The outcome.</returns>
    public static async Task<FaultStreamResult> RunAsync(FaultStreamPlan plan, int markStep = -1, Action? atStep = null, Action? streamed = null, Action<GraphiteClient>? opened = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        IGraphiteProtocol protocol = plan.Protocol switch
        {
            "plaintext" => new PlaintextProtocol(),
            "pickle" => new PickleProtocol(),
            _ => throw new ArgumentException($"unknown protocol '{plan.Protocol}' (plaintext or pickle)", nameof(plan)),
        };
        var clock = Stopwatch.StartNew();
        GraphiteClientOptions options = plan.ClientOptions();
        GraphiteClient client = plan.LazyConnect
            ? GraphiteClient.Create(plan.Host, plan.Port, protocol, options)
            : await GraphiteClient.ConnectAsync(plan.Host, plan.Port, protocol, options, cancellationToken);
        opened?.Invoke(client);
        TimeSpan streamTime, deliveryStart;
        string? deliveryError = null;
        try
        {
            var names = Enumerable.Range(0, plan.Metrics).Select(plan.Metric).ToArray();
            var batch = new Datapoint[plan.Metrics];
            double secondsPerStep = plan.Metrics / plan.PointsPerSecond;
            var streamStart = clock.Elapsed;
            for (int step = 0; step < plan.Steps; step++)
            {
                for (int m = 0; m < plan.Metrics; m++)
                {
                    batch[m] = new Datapoint(names[m], FaultStreamPlan.Value(m, step), plan.FirstTimestamp + step);
                }

                await client.SendMultipleAsync(batch, cancellationToken: cancellationToken);
                if (step == markStep)
                {
                    atStep?.Invoke();
                }

                TimeSpan due = streamStart + TimeSpan.FromSeconds(secondsPerStep * (step + 1));
                TimeSpan now = clock.Elapsed;
                if (due > now)
                {
                    await Task.Delay(due - now, cancellationToken);
                }
            }

            streamTime = clock.Elapsed - streamStart;
            streamed?.Invoke();
            deliveryStart = clock.Elapsed;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(plan.DeliveryTimeout);
            try
            {
                await Delivery.WaitForDeliveryAsync(client, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                deliveryError = string.Create(CultureInfo.InvariantCulture, $"the wait for delivery did not finish within {plan.DeliveryTimeout.TotalSeconds:0} s");
            }
            catch (Exception ex) when (ex is GraphiteException or IOException or InvalidOperationException)
            {
                deliveryError = $"the wait for delivery failed: {ex.GetType().Name}: {ex.Message}";
            }
        }
        finally
        {
            await client.DisposeAsync();
        }

        return new FaultStreamResult(client.Statistics, streamTime, clock.Elapsed - deliveryStart, clock.Elapsed, deliveryError);
    }
}
