using AioGraphite.Pipeline;
using AioGraphite.Protocols;
using AioGraphite.Spool;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using static AioGraphite.Tests.Pipeline.PipelineTestSegments;

namespace AioGraphite.Tests.Pipeline;

/// <summary>No callback runs under the destination's lock: the spool writer's wake-up and the pool's top-up come after it.</summary>
public sealed class SendBufferLockTests
{
    private readonly Lock _sync = new();
    private readonly List<bool> _wakesUnderLock = [];

    [Fact]
    public void SpoolWriterWake_FromAProducersSeal_RunsAfterTheLockIsReleased()
    {
        SendBuffer buffer = NewBuffer();
        var deferred = default(DeferredWork);
        long dropped = 0;
        lock (_sync)
        {
            for (int i = 0; i < 11; i++) // the eleventh seals the first segment
            {
                buffer.AppendLocked([Point()], dropOldest: false, ref dropped, ref deferred, out _);
            }
        }

        Assert.Empty(_wakesUnderLock);
        Assert.True(deferred.WakeSpoolWriter);

        buffer.RunDeferred(deferred);

        Assert.Equal([false], _wakesUnderLock);
    }

    [Fact]
    public void SpoolWriterWake_FromSealOpenAndTakeQueued_RunsWithoutTheLock()
    {
        SendBuffer buffer = NewBuffer();
        Append(buffer, 3);
        buffer.SealOpen(awaited: true);
        Append(buffer, 3);
        buffer.TakeQueued([], int.MaxValue, sealOpen: true, long.MinValue, out _, []);

        Assert.NotEmpty(_wakesUnderLock);
        Assert.DoesNotContain(true, _wakesUnderLock);
    }

    [Fact]
    public void PoolTopUp_IsOnlyAskedForUnderTheLock()
    {
        SendBuffer buffer = NewBuffer();
        var deferred = default(DeferredWork);
        long dropped = 0;
        lock (_sync)
        {
            buffer.AppendLocked([Point()], dropOldest: false, ref dropped, ref deferred, out _);
        }

        Assert.True(deferred.TopUpPool);
        Assert.Equal(0, buffer.PooledSegments);
    }

    private SendBuffer NewBuffer()
    {
        var buffer = new SendBuffer(_sync, new PlaintextFormat(), TenPointSegmentBytes, capacityBytes: 1 << 20, retainedBytes: 0, new FakeTimeProvider());
        buffer.AttachSpool(() => _wakesUnderLock.Add(_sync.IsHeldByCurrentThread), wakeAfterSegments: 1, new SpoolRecovery());
        return buffer;
    }

    private void Append(SendBuffer buffer, int points)
    {
        var deferred = default(DeferredWork);
        long dropped = 0;
        lock (_sync)
        {
            for (int i = 0; i < points; i++)
            {
                buffer.AppendLocked([Point()], dropOldest: false, ref dropped, ref deferred, out _);
            }
        }

        buffer.RunDeferred(deferred);
    }
}
