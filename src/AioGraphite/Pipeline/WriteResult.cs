namespace AioGraphite.Pipeline;

/// <summary>The outcome of one <see cref="SegmentWriter.WriteAsync"/>.</summary>
/// <param name="Failure">Set when the connection broke (TCP): nothing of the batch counts as written.</param>
/// <param name="LostPoints">Points of datagrams that could not be sent (UDP); the rest were sent.</param>
internal readonly record struct WriteResult(Exception? Failure, long LostPoints)
{
    public static WriteResult Success => default;

    public bool ConnectionLost => Failure is not null;
}
