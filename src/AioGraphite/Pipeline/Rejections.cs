namespace AioGraphite.Pipeline;

/// <summary>The points of one call rejected at the edge: how many, and the first one for the error message.</summary>
internal struct Rejections
{
    public long Count;
    public string? FirstMetric;
    public string? FirstReason;
    public int FirstIndex;

    public void Add(string? metric, string reason, int index)
    {
        if (Count++ == 0)
        {
            FirstMetric = metric;
            FirstReason = reason;
            FirstIndex = index;
        }
    }
}
