using System.Runtime.CompilerServices;

namespace AioGraphite.Pipeline;

/// <summary>
/// Points of one call checked outside the lock and appended under it together: the lock is taken once per chunk, not per
/// point, and a chunk lives on the caller's stack.
/// </summary>
[InlineArray(Length)]
internal struct PreparedPointChunk
{
    /// <summary>Points per chunk: the lock is taken once for this many (512 bytes of stack).</summary>
    public const int Length = 16;

    private PreparedPoint _first;
}
