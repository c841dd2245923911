using AioGraphite.Pipeline;
using AioGraphite.Protocols;
using AioGraphite.Spool;
using Microsoft.Win32.SafeHandles;

namespace AioGraphite.Tests.Pipeline;

/// <summary>Small helpers for the buffer's parts: six-byte plaintext points (<c>m 1 1\n</c>) and spool locations without a file behind them.</summary>
internal static class PipelineTestSegments
{
    /// <summary>Bytes of one point written by <see cref="Point"/>.</summary>
    public const int PointBytes = 6;

    /// <summary>A segment size holding exactly ten points.</summary>
    public const int TenPointSegmentBytes = 10 * PointBytes;

    private static readonly SpoolFile NoFile = new(1, "test.spool", new SpoolFileHandle(new SafeFileHandle(IntPtr.Zero, ownsHandle: false), "test.spool"), 0);

    private static readonly EncodedName M = new PlaintextFormat().Encode(default, "m", 1, default);

    /// <summary>The point <c>m 1 1</c>, checked and encoded.</summary>
    public static PreparedPoint Point() => new(M, 1, 1);

    /// <summary>Appends the one point <see cref="Point"/> as a run of one; returns what happened.</summary>
    public static AppendResult AppendPoint(this BatchQueue queue, bool dropOldest, ref long dropped, ref DeferredWork deferred)
    {
        PreparedPoint point = Point();
        queue.Append(new ReadOnlySpan<PreparedPoint>(in point), dropOldest, ref dropped, ref deferred, out AppendResult result);
        return result;
    }

    /// <summary>Where a record of <paramref name="points"/> points and <paramref name="bytes"/> bytes with <paramref name="sequence"/> would be.</summary>
    public static SpoolLocation Location(long sequence, int points = 10, int bytes = TenPointSegmentBytes) =>
        new(NoFile, 0, bytes, sequence, points);

    /// <summary>A sealed segment as the queue leaves it.</summary>
    public static Batch Sealed(long sequence, int points = 10, int bytes = TenPointSegmentBytes) =>
        new(TenPointSegmentBytes) { Sequence = sequence, Points = points, Length = bytes };

    /// <summary>Appends <paramref name="count"/> points; returns the results.</summary>
    public static List<AppendResult> Append(BatchQueue queue, int count, bool dropOldest, ref long dropped, ref DeferredWork deferred)
    {
        var results = new List<AppendResult>(count);
        for (int i = 0; i < count; i++)
        {
            results.Add(queue.AppendPoint(dropOldest, ref dropped, ref deferred));
        }

        return results;
    }
}
