using System.Diagnostics.Tracing;

namespace AioGraphite.Throughput;

/// <summary>
/// What allocates, by type: listens to the runtime's <c>GCAllocationTick</c> events (one per ~100 KB allocated,
/// naming the type of the object that crossed the threshold), so the totals per type are a statistical
/// sample of where the bytes go. Enabled with <c>--alloc-types</c>.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly Dictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private volatile bool _recording;

    /// <summary>Forgets what was sampled so far and starts recording.</summary>
    public void Restart()
    {
        lock (_bytes)
        {
            _bytes.Clear();
        }

        _recording = true;
    }

    /// <summary>Stops recording and returns the sampled bytes per type, largest first.</summary>
    public IReadOnlyList<(string Type, long Bytes)> Stop()
    {
        _recording = false;
        lock (_bytes)
        {
            return [.. _bytes.OrderByDescending(kv => kv.Value).Select(kv => (kv.Key, kv.Value))];
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick at verbose level
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_recording || eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.PayloadNames is null)
        {
            return;
        }

        int typeIndex = eventData.PayloadNames.IndexOf("TypeName");
        int amountIndex = eventData.PayloadNames.IndexOf("AllocationAmount64");
        if (amountIndex < 0)
        {
            amountIndex = eventData.PayloadNames.IndexOf("AllocationAmount");
        }

        if (typeIndex < 0 || amountIndex < 0)
        {
            return;
        }

        string type = eventData.Payload![typeIndex] as string ?? "?";
        long amount = Convert.ToInt64(eventData.Payload[amountIndex], System.Globalization.CultureInfo.InvariantCulture);
        lock (_bytes)
        {
            _bytes[type] = _bytes.GetValueOrDefault(type) + amount;
        }
    }
}
