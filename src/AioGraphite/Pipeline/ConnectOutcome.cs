namespace AioGraphite.Pipeline;

/// <summary>What <see cref="ConnectionManager.ConnectAsync"/> did.</summary>
internal enum ConnectOutcome
{
    /// <summary>No connection (the back-off delay has been waited, or the stop deadline passed).</summary>
    Failed,

    /// <summary>The first connection of the destination.</summary>
    First,

    /// <summary>A new connection after one was lost: what carbon may have lost must be replayed.</summary>
    Reconnected,

    /// <summary>A new connection after one ended in order (a delivery receipt): nothing to replay.</summary>
    Renewed,
}
