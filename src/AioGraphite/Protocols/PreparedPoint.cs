using System.Runtime.CompilerServices;

namespace AioGraphite.Protocols;

/// <summary>
/// A point checked outside the destination's lock, waiting to be formatted under it: its encoded name (default tags
/// merged, the client's prefix and tag suffix included), the value and the timestamp; or a point that failed its checks
/// (<see cref="Error"/>), recorded as rejected in its turn under the lock. 24 bytes: the name and the rejection share
/// one reference.
/// </summary>
internal readonly struct PreparedPoint
{
    // An EncodedName for a valid point, a Rejection for a rejected one.
    private readonly object _target;

    /// <param name="name">The encoded name.</param>
    /// <param name="value">The value, finite.</param>
    /// <param name="timestamp">Unix seconds, within what whisper stores.</param>
    public PreparedPoint(EncodedName name, double value, long timestamp)
    {
        _target = name;
        Value = value;
        Timestamp = timestamp;
    }

    private PreparedPoint(Rejection rejection) => _target = rejection;

    /// <summary>The encoded name; null for a rejected point.</summary>
    public EncodedName? Name => _target as EncodedName;

    /// <summary>The encoded name of a point known to be valid (a format's runs hold only those).</summary>
    public EncodedName ValidName
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Unsafe.As<EncodedName>(_target);
    }

    /// <summary>Whether the point passed its checks.</summary>
    public bool IsValid => _target is EncodedName;

    /// <summary>The name as written (a rejected point's name as given, maybe null).</summary>
    public string? Metric => _target is EncodedName name ? name.Metric : ((Rejection)_target).Metric;

    /// <summary>Why the point was rejected; null for a valid point.</summary>
    public string? Error => (_target as Rejection)?.Error;

    /// <summary>The value.</summary>
    public double Value { get; }

    /// <summary>Unix seconds.</summary>
    public long Timestamp { get; }

    /// <summary>A point that failed its checks.</summary>
    /// <param name="metric">Its name as given.</param>
    /// <param name="error">Why it was rejected.</param>
    public static PreparedPoint Rejected(string? metric, string error) => new(new Rejection(metric, error));

    private sealed record Rejection(string? Metric, string Error);
}
