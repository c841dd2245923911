namespace AioGraphite.FaultDriver;

/// <summary>The one place where the fault tests wait for the client to deliver what it was given.</summary>
public static class Delivery
{
    /// <summary>
    /// Waits until the client has delivered every point it accepted, then closes it. Every library fault test (in-process
    /// and through this driver) ends its stream here, so this is the line to change when the library gets a stronger
    /// notion of "delivered".
    /// </summary>
    /// <param name="client">The client, still open.</param>
    /// <param name="cancellationToken">Gives up waiting.</param>
    /// <returns>Completes when the client says everything is delivered and it is closed.</returns>
    /// <remarks>
    /// <c>WaitForDeliveryAsync</c> completes once carbon has consumed every point (its orderly close after the client's
    /// end of stream proves it); only then is the client closed. A close alone would give up after the default drain
    /// timeout (10 s), shorter than some faults.
    /// </remarks>
    public static async Task WaitForDeliveryAsync(GraphiteClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        await client.WaitForDeliveryAsync(cancellationToken);
        await client.CloseAsync();
    }
}
