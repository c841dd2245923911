using AioGraphite.Protocols;

namespace AioGraphite;

/// <summary>
/// carbon's pickle protocol, port 2004 by default: frames of a 4-byte big-endian length and a protocol-2 pickle of
/// <c>[(metric, (timestamp, value)), ...]</c> that Python's <c>pickle.loads</c> and carbon's restricted unpickler read
/// back exactly (names as unicode strings). A message larger than carbon's 1 MiB frame limit is split into several frames.
/// </summary>
public sealed class PickleProtocol : IGraphiteProtocol
{
    private readonly TimeProvider _time;

    /// <summary>Creates the protocol; "now" comes from <see cref="TimeProvider.System"/>.</summary>
    public PickleProtocol()
        : this(TimeProvider.System)
    {
    }

    /// <summary>Creates the protocol with the clock used for points without a timestamp.</summary>
    /// <param name="timeProvider">The clock.</param>
    public PickleProtocol(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
    }

    /// <inheritdoc/>
    /// <remarks>An empty list gives one frame holding an empty list, as the Python original does.</remarks>
    public byte[] GenerateMessage(IReadOnlyList<Datapoint> datapoints) => MessageBuilder.Build(new PickleFormat(), _time, datapoints, emptyFrame: true);

    /// <inheritdoc/>
    public override string ToString() => "pickle";
}
