using System.Runtime.CompilerServices;
using AioGraphite.Protocols;

namespace AioGraphite.Pipeline;

/// <summary>
/// The points of a larger call checked outside the lock, a block at a time, on the caller's stack: nothing to rent,
/// return or clear (a heap array kept metric names alive until cleared), no card marking. Each store still calls the
/// runtime's byref barrier helper, which returns early for a stack address (the JIT cannot prove the element is on the
/// stack: tried with the element reached through <c>Unsafe.Add</c> too), and the block is zeroed per call as it holds
/// references.
/// </summary>
[InlineArray(Length)]
internal struct PreparedPointBlock
{
    /// <summary>Points checked ahead and appended under one lock (6 KiB of stack).</summary>
    public const int Length = 256;

    private PreparedPoint _first;
}
