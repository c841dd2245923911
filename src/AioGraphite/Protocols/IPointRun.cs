namespace AioGraphite.Protocols;

/// <summary>
/// Points a format writes in order, each with its encoded name, value and timestamp: points already checked
/// (<see cref="PreparedPointRun"/>), or a caller's points whose names are looked up as they are written
/// (<c>Pipeline.KnownPointRun</c>), which stops at the first point it cannot vouch for. Passed as a struct type argument,
/// so that each format's loop is compiled for each kind, with the lookups inlined.
/// </summary>
internal interface IPointRun
{
    /// <summary>Points in the run.</summary>
    int Count { get; }

    /// <summary>Whether the run stopped: a <see cref="TryGet"/> returned false, and no point from there on is written.</summary>
    bool Stopped { get; }

    /// <summary>The point at <paramref name="index"/>, ready to write; false (and <see cref="Stopped"/>) when the run cannot vouch for it.</summary>
    /// <param name="index">The point's index in the run.</param>
    /// <param name="name">Its encoded name.</param>
    /// <param name="value">Its value, finite.</param>
    /// <param name="timestamp">Its timestamp, within what whisper stores.</param>
    bool TryGet(int index, out EncodedName name, out double value, out long timestamp);
}
