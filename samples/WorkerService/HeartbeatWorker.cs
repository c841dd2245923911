using AioGraphite;

namespace AioGraphite.Samples.WorkerService;

/// <summary>Sends <c>worker.heartbeat</c> (a counter: 1, 2, 3, ...) every second through the injected client.</summary>
/// <param name="graphite">The client registered by <c>AddGraphite</c>.</param>
/// <param name="time">The host's clock.</param>
/// <param name="logger">Where progress is logged.</param>
internal sealed partial class HeartbeatWorker(GraphiteClient graphite, TimeProvider time, ILogger<HeartbeatWorker> logger) : BackgroundService
{
    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        long beats = 0;
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            beats++;
            await graphite.SendAsync("worker.heartbeat", beats, cancellationToken: stoppingToken).ConfigureAwait(false);
            if (beats % 10 == 0)
            {
                Sent(logger, beats, graphite.Statistics.PointsWritten);
            }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Beats} heartbeats sent, {Written} points written to carbon so far")]
    private static partial void Sent(ILogger logger, long beats, long written);
}
