namespace AioGraphite;

/// <summary>What the client does when its buffer (<see cref="GraphiteClientOptions.BufferCapacityBytes"/>) is full.</summary>
public enum FullBufferPolicy
{
    /// <summary>
    /// Drop the oldest buffered points (a whole batch at a time) to make room for new ones. The default:
    /// a service keeps its newest data and its callers never wait.
    /// </summary>
    DropOldest = 0,

    /// <summary>Drop the points being sent now and keep what is already buffered.</summary>
    DropNewest = 1,

    /// <summary>
    /// <c>SendAsync</c>/<c>SendMultipleAsync</c> wait asynchronously (no thread is blocked) for room, up to
    /// <see cref="GraphiteClientOptions.FullBufferWaitTimeout"/>, then drop what still does not fit.
    /// <c>TrySend</c> never waits: it returns <see langword="false"/>.
    /// </summary>
    Wait = 2,
}
