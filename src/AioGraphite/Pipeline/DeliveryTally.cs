namespace AioGraphite.Pipeline;

/// <summary>Segments and points that became delivered in one step of the sender loop.</summary>
internal struct DeliveryTally
{
    public long Points;
    public int Segments;
}
