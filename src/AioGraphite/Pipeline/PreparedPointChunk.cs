using System.Runtime.CompilerServices;
using AioGraphite.Protocols;

namespace AioGraphite.Pipeline;

/// <summary>
/// The points of a small call (up to <see cref="Length"/>) checked outside the lock, on the caller's stack; larger calls
/// go a block at a time (<see cref="PreparedPointBlock"/>).
/// </summary>
[InlineArray(Length)]
internal struct PreparedPointChunk
{
    /// <summary>Most points checked on the stack (384 bytes); a larger call uses <see cref="PreparedPointBlock"/>.</summary>
    public const int Length = 16;

    private PreparedPoint _first;
}
