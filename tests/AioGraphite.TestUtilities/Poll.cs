using System.Diagnostics;

namespace AioGraphite.TestUtilities;

/// <summary>
/// The one polling helper of the tests and benchmarks: looks at a condition until it holds or a timeout passes on one
/// clock (<see cref="Stopwatch"/>: monotonic, unlike wall time), waiting <see cref="DefaultInterval"/> (or what the caller
/// says) between looks, and fails with a <see cref="TimeoutException"/> that says what it waited for and what it saw last.
/// </summary>
public static class Poll
{
    /// <summary>The wait between two looks unless the caller gives one: 10 ms.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    /// <param name="condition">What must become true.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="what">What is awaited and what is seen, for the timeout's message (called only then).</param>
    /// <param name="interval">The wait between looks; <see cref="DefaultInterval"/> when <see langword="null"/>.</param>
    /// <returns>A task that completes when the condition holds.</returns>
    /// <exception cref="TimeoutException">It did not hold in time.</exception>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> what, TimeSpan? interval = null) =>
        UntilAsync(condition, timeout, what, Delay(interval));

    /// <summary>Waits until <paramref name="condition"/> holds, running <paramref name="between"/> between looks (for example: wait for a change, or advance a fake clock).</summary>
    /// <param name="condition">What must become true.</param>
    /// <param name="timeout">How long to wait (real time).</param>
    /// <param name="what">What is awaited and what is seen, for the timeout's message (called only then).</param>
    /// <param name="between">What to do between two looks.</param>
    /// <returns>A task that completes when the condition holds.</returns>
    /// <exception cref="TimeoutException">It did not hold in time.</exception>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> what, Func<Task> between)
    {
        if (!await TryUntilAsync(condition, timeout, between).ConfigureAwait(false))
        {
            throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.###} s waiting for {what()}");
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; false when it did not in time (the caller reports it).</summary>
    /// <param name="condition">What must become true.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="interval">The wait between looks; <see cref="DefaultInterval"/> when <see langword="null"/>.</param>
    /// <returns>Whether the condition held in time.</returns>
    public static Task<bool> TryUntilAsync(Func<bool> condition, TimeSpan timeout, TimeSpan? interval = null) =>
        TryUntilAsync(condition, timeout, Delay(interval));

    /// <summary>Waits until <paramref name="condition"/> holds, running <paramref name="between"/> between looks; false when it did not in time.</summary>
    /// <param name="condition">What must become true.</param>
    /// <param name="timeout">How long to wait (real time).</param>
    /// <param name="between">What to do between two looks.</param>
    /// <returns>Whether the condition held in time.</returns>
    public static Task<bool> TryUntilAsync(Func<bool> condition, TimeSpan timeout, Func<Task> between) =>
        TryUntilAsync(() => Task.FromResult(condition()), timeout, between);

    /// <summary>Waits until the asynchronous <paramref name="condition"/> holds, waiting <paramref name="interval"/> between looks; false when it did not in time.</summary>
    /// <param name="condition">What must become true (for example a query to a server).</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="interval">The wait between looks; <see cref="DefaultInterval"/> when <see langword="null"/>.</param>
    /// <returns>Whether the condition held in time.</returns>
    public static Task<bool> TryUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? interval = null) =>
        TryUntilAsync(condition, timeout, Delay(interval));

    private static async Task<bool> TryUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<Task> between)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!await condition().ConfigureAwait(false))
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }

            await between().ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Reads a value until <paramref name="done"/> accepts it, and returns it.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="read">Reads the value.</param>
    /// <param name="done">Whether the value is the awaited one.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="what">What is awaited, for the timeout's message (the last value read is added).</param>
    /// <param name="interval">The wait between reads; <see cref="DefaultInterval"/> when <see langword="null"/>.</param>
    /// <returns>The accepted value.</returns>
    /// <exception cref="TimeoutException">No value was accepted in time.</exception>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what, TimeSpan? interval = null)
    {
        T last = await read().ConfigureAwait(false);
        await UntilAsync(() => done(last), timeout, () => $"{what}; last seen: {Describe(last)}", async () =>
        {
            await Task.Delay(interval ?? DefaultInterval).ConfigureAwait(false);
            last = await read().ConfigureAwait(false);
        }).ConfigureAwait(false);
        return last;
    }

    private static Func<Task> Delay(TimeSpan? interval)
    {
        TimeSpan wait = interval ?? DefaultInterval;
        return () => Task.Delay(wait);
    }

    private static string Describe<T>(T value) => value switch
    {
        System.Collections.IEnumerable items and not string => "[" + string.Join(", ", items.Cast<object?>()) + "]",
        _ => value?.ToString() ?? "null",
    };
}
