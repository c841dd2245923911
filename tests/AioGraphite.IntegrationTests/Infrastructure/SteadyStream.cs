using AioGraphite.TestUtilities;

namespace AioGraphite.IntegrationTests.Infrastructure;

/// <summary>
/// A steady stream of known points for delivery tests: <c>metrics</c> series, one timestamp per step, one step every
/// 8 ms, with a fault started in the middle; and the value of each (series, step), so that what whisper holds can be
/// compared with what was sent.
/// </summary>
internal static class SteadyStream
{
    /// <summary>Time between steps.</summary>
    public static readonly TimeSpan StepPeriod = TimeSpan.FromMilliseconds(8);

    /// <summary>The value sent for <paramref name="series"/> at <paramref name="step"/>.</summary>
    public static double Value(int series, int step) => (series * 10_000) + step + 0.25;

    /// <summary>
    /// Sends <paramref name="steps"/> steps of <paramref name="metrics"/> points (named by <paramref name="metricOf"/>,
    /// timestamps from <paramref name="start"/>) at the steady rate; starts <paramref name="fault"/> after half of them
    /// and waits for it before returning.
    /// </summary>
    public static async Task SendAsync(GraphiteClient client, int metrics, int steps, long start, Func<int, string> metricOf, Func<Task> fault, CancellationToken cancellationToken)
    {
        string[] names = [.. Enumerable.Range(0, metrics).Select(metricOf)];
        Task? faultTask = null;
        var batch = new Datapoint[metrics];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int step = 0; step < steps; step++)
        {
            for (int m = 0; m < metrics; m++)
            {
                batch[m] = new Datapoint(names[m], Value(m, step), start + step);
            }

            await client.SendMultipleAsync(batch, cancellationToken: cancellationToken);
            if (step == steps / 2)
            {
                faultTask = Task.Run(fault, cancellationToken);
            }

            TimeSpan due = StepPeriod * (step + 1);
            if (clock.Elapsed < due)
            {
                await Task.Delay(due - clock.Elapsed, cancellationToken);
            }
        }

        await faultTask!;
    }
}
