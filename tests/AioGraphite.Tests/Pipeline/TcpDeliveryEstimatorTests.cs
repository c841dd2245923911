using AioGraphite.Transport;
using Xunit;

namespace AioGraphite.Tests.Pipeline;

/// <summary>
/// The TCP_INFO estimate, fed with the samples a real loopback connection gave (see docs/architecture.md): bytes count
/// as consumed once acknowledged and the window they took is given back.
/// </summary>
public sealed class TcpDeliveryEstimatorTests
{
    [Fact]
    public void AReaderThatStops_CountsAtMostTheWindowsGrowth_AndNothingOnceTheWindowIsShut()
    {
        // A reader that never reads, 16 KiB at a time (the kernel's own figures): the acknowledgements go on, the window
        // closes by about as much. What a young connection's growing window hides (1 KiB a step here) is the estimate's
        // known slack, covered by the replay window and by the end-of-stream proof.
        var estimator = new TcpDeliveryEstimator(ackedAtConnect: 1);
        Assert.Equal(16_384, estimator.Update(new TcpInfoSample(16_385, 108_544), written: 16_384)); // first sample: nothing to compare with
        Assert.Equal(17_408, estimator.Update(new TcpInfoSample(32_769, 93_184), written: 32_768));
        Assert.Equal(19_456, estimator.Update(new TcpInfoSample(114_689, 13_312), written: 114_688));
        Assert.Equal(19_456, estimator.Update(new TcpInfoSample(128_001, 0), written: 196_608));      // zero window: frozen
        Assert.Equal(19_456, estimator.Update(new TcpInfoSample(128_001, 0), written: 196_608));
    }

    [Fact]
    public void AReaderThatCatchesUp_GivesTheWindowBack_AndEverythingAcknowledgedCounts()
    {
        var estimator = new TcpDeliveryEstimator(ackedAtConnect: 1);
        estimator.Update(new TcpInfoSample(16_385, 108_544), written: 16_384);
        estimator.Update(new TcpInfoSample(114_689, 13_312), written: 114_688);
        Assert.Equal(196_608, estimator.Update(new TcpInfoSample(196_609, 245_760), written: 196_608));
    }

    [Fact]
    public void UnacknowledgedBytes_NeverCount_AndTheEstimateNeverGoesBack()
    {
        var estimator = new TcpDeliveryEstimator(ackedAtConnect: 1);
        Assert.Equal(1_000, estimator.Update(new TcpInfoSample(1_001, 65_536), written: 5_000));
        Assert.Equal(1_000, estimator.Update(new TcpInfoSample(2_001, 60_000), written: 5_000));
    }

    [Fact]
    public void WithoutAWindowInTheSample_AcknowledgedBytesCount()
    {
        var estimator = new TcpDeliveryEstimator(ackedAtConnect: 1);
        Assert.Equal(4_000, estimator.Update(new TcpInfoSample(4_001, -1), written: 5_000));
    }

    [Fact]
    public void AcknowledgedThroughEnd_NeedsEveryByteAndTheFin()
    {
        var estimator = new TcpDeliveryEstimator(ackedAtConnect: 1);
        Assert.False(estimator.AcknowledgedThroughEnd(new TcpInfoSample(25, 65_536), written: 24)); // our FIN not acknowledged
        Assert.True(estimator.AcknowledgedThroughEnd(new TcpInfoSample(26, 65_536), written: 24));
    }
}
