namespace AioGraphite;

/// <summary>
/// A Graphite wire protocol: turns datapoints into the bytes carbon reads.
/// AioGraphite ships <c>PlaintextProtocol</c> and <c>PickleProtocol</c>;
/// <c>GraphiteClient</c> accepts only those two.
/// </summary>
public interface IGraphiteProtocol
{
    /// <summary>Formats <paramref name="datapoints"/> as one message in this protocol.</summary>
    /// <param name="datapoints">The points; a <see langword="null"/> timestamp means "now".</param>
    /// <returns>The bytes to write to carbon.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="datapoints"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A point has an invalid metric name, a non-finite value or a negative timestamp; nothing is returned.</exception>
    byte[] GenerateMessage(IReadOnlyList<Datapoint> datapoints);
}
