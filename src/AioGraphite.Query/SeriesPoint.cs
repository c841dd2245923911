namespace AioGraphite.Query;

/// <summary>One stored point of a rendered series.</summary>
/// <param name="Timestamp">Unix time in seconds (the start of the whisper interval holding the point).</param>
/// <param name="Value">The value.</param>
public readonly record struct SeriesPoint(long Timestamp, double Value);
