using AioGraphite.Protocols;

namespace AioGraphite.Benchmarks;

/// <summary>Pickle frames (protocol 2, BINUNICODE names, BINFLOAT values); see <see cref="WireFormatBenchmarks"/>.</summary>
public class PickleFormatBenchmarks : WireFormatBenchmarks
{
    private protected override WireFormat Format { get; } = new PickleFormat();

    private protected override IGraphiteProtocol CreateProtocol() => new PickleProtocol();
}
