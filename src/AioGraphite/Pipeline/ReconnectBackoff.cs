namespace AioGraphite.Pipeline;

/// <summary>
/// Capped exponential back-off with "equal jitter": attempt n waits between half and all of
/// min(max, initial * 2^n). Pure: the random source is injected, the caller sleeps on its TimeProvider.
/// </summary>
internal sealed class ReconnectBackoff
{
    /// <summary>Doublings counted at most (2^30 times the initial delay is far past any maximum; more would overflow nothing but waste).</summary>
    private const int MaxDoublings = 30;

    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private readonly Func<double> _random;

    public ReconnectBackoff(TimeSpan initial, TimeSpan max, Func<double> random)
    {
        _initial = initial;
        _max = max;
        _random = random;
    }

    /// <summary>Failed attempts since the last success.</summary>
    public int Attempts { get; private set; }

    /// <summary>The delay before the next attempt; counts a failure.</summary>
    public TimeSpan NextDelay()
    {
        double cap = Math.Min(_max.TotalMilliseconds, _initial.TotalMilliseconds * Math.Pow(2, Math.Min(Attempts, MaxDoublings)));
        Attempts++;
        return TimeSpan.FromMilliseconds((cap / 2) + (cap / 2 * _random()));
    }

    /// <summary>A connection succeeded.</summary>
    public void Reset() => Attempts = 0;
}
