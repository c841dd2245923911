namespace AioGraphite.Pipeline;

/// <summary>What happened to a batch of points handed to the buffer.</summary>
internal struct BatchOutcome
{
    public long Accepted;
    public long DroppedOldest;
    public long DroppedNewest;
    public long Rejected;
    public string? FirstRejectedMetric;
    public string? FirstRejectedReason;
    public int FirstRejectedIndex;
    public bool Wake;

    public void Reject(string? metric, string reason, int index)
    {
        if (Rejected++ == 0)
        {
            FirstRejectedMetric = metric;
            FirstRejectedReason = reason;
            FirstRejectedIndex = index;
        }
    }
}
