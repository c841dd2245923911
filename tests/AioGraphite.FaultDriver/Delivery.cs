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
    /// Today this is <c>FlushAsync</c> + <c>CloseAsync</c>: "written to the socket", which is not "read by carbon"
    /// (issue 9). Switch it to <c>await client.WaitForDeliveryAsync(cancellationToken);</c> (then close) once that API exists.
    /// </remarks>
    public static async Task WaitForDeliveryAsync(GraphiteClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        await client.FlushAsync(cancellationToken);
        await client.CloseAsync();
    }
}
