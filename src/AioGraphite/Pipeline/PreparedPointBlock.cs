using System.Runtime.CompilerServices;
using AioGraphite.Protocols;

namespace AioGraphite.Pipeline;

/// <summary>
/// The points of a larger call checked outside the lock, a block at a time, on the caller's stack: written without a
/// write barrier, nothing to rent, return or clear (a heap array kept metric names alive until cleared).
/// </summary>
[InlineArray(Length)]
internal struct PreparedPointBlock
{
    /// <summary>Points checked ahead and appended under one lock (6 KiB of stack).</summary>
    public const int Length = 256;

    private PreparedPoint _first;
}
