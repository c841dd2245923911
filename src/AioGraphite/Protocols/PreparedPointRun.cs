using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AioGraphite.Protocols;

/// <summary>A run of points checked before (valid ones only): every point is written; it never stops.</summary>
internal readonly ref struct PreparedPointRun : IPointRun
{
    private readonly ReadOnlySpan<PreparedPoint> _points;

    /// <param name="points">Valid points.</param>
    public PreparedPointRun(ReadOnlySpan<PreparedPoint> points) => _points = points;

    /// <inheritdoc/>
    public int Count => _points.Length;

    /// <inheritdoc/>
    public bool Stopped => false;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(int index, out EncodedName name, out double value, out long timestamp)
    {
        ref readonly PreparedPoint p = ref Unsafe.Add(ref MemoryMarshal.GetReference(_points), index);
        name = p.ValidName;
        value = p.Value;
        timestamp = p.Timestamp;
        return true;
    }
}
