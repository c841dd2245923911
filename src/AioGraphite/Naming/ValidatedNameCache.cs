using System.Runtime.CompilerServices;

namespace AioGraphite.Naming;

/// <summary>
/// Metric names already checked, keyed by the string instance (strings are immutable, so a name that passed once
/// always passes): most applications send the same name objects again and again, and the check is a good part of
/// the per-point cost. Direct-mapped, fixed size, struct entries: lookups and stores never allocate. Not thread-safe:
/// a destination uses it under its buffer's lock.
/// </summary>
internal sealed class ValidatedNameCache
{
    private const int Size = 4096; // a power of two
    private readonly Entry[] _entries = new Entry[Size];

    /// <summary>Finds <paramref name="metric"/>; on a hit gives its UTF-8 length and whether it carries tags.</summary>
    public bool TryGet(string metric, out int utf8Length, out bool tagged)
    {
        ref Entry entry = ref _entries[RuntimeHelpers.GetHashCode(metric) & (Size - 1)];
        if (ReferenceEquals(entry.Metric, metric))
        {
            utf8Length = entry.Utf8Length;
            tagged = entry.Tagged;
            return true;
        }

        utf8Length = 0;
        tagged = false;
        return false;
    }

    /// <summary>Remembers a name that passed every name check.</summary>
    public void Store(string metric, int utf8Length, bool tagged)
    {
        ref Entry entry = ref _entries[RuntimeHelpers.GetHashCode(metric) & (Size - 1)];
        entry.Metric = metric;
        entry.Utf8Length = utf8Length;
        entry.Tagged = tagged;
    }

    private struct Entry
    {
        public string? Metric;
        public int Utf8Length;
        public bool Tagged;
    }
}
