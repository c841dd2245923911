using System.Runtime.CompilerServices;
using AioGraphite.Protocols;

namespace AioGraphite.Pipeline;

/// <summary>
/// The points of a small call (up to <see cref="Length"/>) checked outside the lock, on the caller's stack; larger calls
/// rent an array.
/// </summary>
[InlineArray(Length)]
internal struct PreparedPointChunk
{
    /// <summary>Most points checked on the stack (384 bytes); a larger call rents a pooled array.</summary>
    public const int Length = 16;

    private PreparedPoint _first;
}
