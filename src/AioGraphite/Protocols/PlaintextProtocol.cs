using AioGraphite.Protocols;

namespace AioGraphite;

/// <summary>
/// carbon's plaintext (line) protocol, port 2003 by default: one <c>metric value timestamp\n</c> line per point,
/// invariant culture, values in shortest round-trip form (carbon parses exactly the double that was sent),
/// timestamps as 64-bit integers.
/// </summary>
public sealed class PlaintextProtocol : IGraphiteProtocol
{
    private readonly TimeProvider _time;

    /// <summary>Creates the protocol; "now" comes from <see cref="TimeProvider.System"/>.</summary>
    public PlaintextProtocol()
        : this(TimeProvider.System)
    {
    }

    /// <summary>Creates the protocol with the clock used for points without a timestamp.</summary>
    /// <param name="timeProvider">The clock.</param>
    public PlaintextProtocol(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
    }

    /// <inheritdoc/>
    /// <example><c>[("metric1", 455, 1471640924)]</c> gives <c>"metric1 455 1471640924\n"</c>.</example>
    public byte[] GenerateMessage(IReadOnlyList<Datapoint> datapoints) => MessageBuilder.Build(new PlaintextFormat(), _time, datapoints, emptyFrame: false);

    /// <inheritdoc/>
    public override string ToString() => "plaintext";
}
