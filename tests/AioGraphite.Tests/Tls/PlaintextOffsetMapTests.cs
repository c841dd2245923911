using AioGraphite.Transport;
using CsCheck;
using Xunit;

namespace AioGraphite.Tests.Tls;

/// <summary>
/// Plaintext offsets from TCP-level evidence: exact at write boundaries, never ahead of what the peer consumed, monotonic.
/// </summary>
public sealed class PlaintextOffsetMapTests
{
    [Fact]
    public void AWriteCounts_OnlyOnceEveryTcpByteOfItIsConsumed()
    {
        // A 600-byte handshake, then writes of 1000 and 500 plaintext bytes that became 1022 and 522 TCP bytes.
        var map = new PlaintextOffsetMap();
        map.Add(1000, 600 + 1022);
        map.Add(1500, 600 + 1022 + 522);
        Assert.Equal(0, map.ConsumedThrough(0));
        Assert.Equal(0, map.ConsumedThrough(600));           // the handshake
        Assert.Equal(0, map.ConsumedThrough(1621));          // one byte short of the first write
        Assert.Equal(1000, map.ConsumedThrough(1622));
        Assert.Equal(1000, map.ConsumedThrough(2143));
        Assert.Equal(1500, map.ConsumedThrough(2144));
        Assert.Equal(1500, map.ConsumedThrough(99_999));      // close_notify and beyond
        Assert.Equal(0, map.Pending);
    }

    [Fact]
    public void TheAnswerNeverGoesBack()
    {
        var map = new PlaintextOffsetMap();
        map.Add(10, 50);
        Assert.Equal(10, map.ConsumedThrough(50));
        Assert.Equal(10, map.ConsumedThrough(20));
        Assert.Equal(10, map.Consumed);
    }

    [Theory]
    [InlineData(5, 100, 4, 200)]   // plaintext backwards
    [InlineData(10, 100, 20, 90)]  // wire backwards
    [InlineData(200, 100, 0, 0)]   // wire below plaintext
    public void OffsetsGoingBackwards_AreRefused(long plain1, long wire1, long plain2, long wire2)
    {
        var map = new PlaintextOffsetMap();
        if (plain2 == 0 && wire2 == 0)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => map.Add(plain1, wire1));
            return;
        }

        map.Add(plain1, wire1);
        Assert.Throws<ArgumentOutOfRangeException>(() => map.Add(plain2, wire2));
    }

    [Fact]
    public void AnyWritesAnyEvidence_TheAnswerIsTheLastWriteWhollyConsumed()
    {
        Gen.Select(Gen.Int[0, 2000], Gen.Int[0, 64], Gen.Int[1, 40_000].Array[1, 30], Gen.Int[0, 60].Array[1, 30], Gen.Long[0, 1_000_000].Array[1, 20])
            .Sample((handshake, extra, writes, overheads, evidence) =>
            {
                var map = new PlaintextOffsetMap();
                var ends = new List<(long Plain, long Wire)>();
                long plain = 0;
                long wire = handshake;
                for (int i = 0; i < writes.Length; i++)
                {
                    plain += writes[i];
                    wire += writes[i] + overheads[i % overheads.Length] + (i == 0 ? extra : 0);
                    map.Add(plain, wire);
                    ends.Add((plain, wire));
                }

                long previous = 0;
                foreach (long consumed in evidence.Order())
                {
                    long expected = ends.Where(e => e.Wire <= consumed).Select(e => e.Plain).DefaultIfEmpty(0).Max();
                    long answer = map.ConsumedThrough(consumed);
                    if (answer != expected || answer < previous)
                    {
                        return false;
                    }

                    previous = answer;
                }

                return true;
            });
    }
}
