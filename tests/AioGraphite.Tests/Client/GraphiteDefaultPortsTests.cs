using Xunit;

namespace AioGraphite.Tests.Client;

/// <summary>The one protocol → default-port mapping that hosting, the OpenTelemetry exporter and the CLI use.</summary>
public sealed class GraphiteDefaultPortsTests
{
    [Fact]
    public void Constants_AreCarbonsDefaultReceiverPorts()
    {
        Assert.Equal(2003, GraphiteDefaultPorts.Plaintext);
        Assert.Equal(2004, GraphiteDefaultPorts.Pickle);
        Assert.Equal(2003, GraphiteDefaultPorts.Udp);
    }

    [Fact]
    public void For_EachProtocolAndTransport_IsTheReceiverThatReadsIt()
    {
        Assert.Equal(2003, GraphiteDefaultPorts.For(new PlaintextProtocol()));
        Assert.Equal(2003, GraphiteDefaultPorts.For(null));
        Assert.Equal(2004, GraphiteDefaultPorts.For(new PickleProtocol()));
        Assert.Equal(2004, GraphiteDefaultPorts.For(new PickleProtocol(), GraphiteTransport.Tcp));
        Assert.Equal(2003, GraphiteDefaultPorts.For(new PlaintextProtocol(), GraphiteTransport.Udp));
        Assert.Equal(2003, GraphiteDefaultPorts.For(null, GraphiteTransport.Udp));
    }
}
