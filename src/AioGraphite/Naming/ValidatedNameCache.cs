using System.Runtime.CompilerServices;

namespace AioGraphite.Naming;

/// <summary>
/// Metric names already checked, keyed by the string instance (strings are immutable, so a name that passed once
/// always passes): most applications send the same name objects again and again, and the check is a good part of
/// the per-point cost. Direct-mapped, fixed size, struct entries: lookups and stores never allocate.
/// <para>
/// Thread-safe, so that producers look names up before they take their destination's lock: lookups take no lock
/// (an entry's name is read before and after its fields, and a store clears it first, so a torn entry reads as a
/// miss); stores, rare (a name's first send, or a collision), are serialized by a lock of their own.
/// </para>
/// </summary>
internal sealed class ValidatedNameCache
{
    private const int Size = 4096; // a power of two
    private readonly Entry[] _entries = new Entry[Size];
    private readonly Lock _storeSync = new();

    /// <summary>Finds <paramref name="metric"/>; on a hit gives its UTF-8 length and whether it carries tags.</summary>
    public bool TryGet(string metric, out int utf8Length, out bool tagged)
    {
        ref Entry entry = ref _entries[RuntimeHelpers.GetHashCode(metric) & (Size - 1)];
        if (ReferenceEquals(Volatile.Read(ref entry.Metric), metric))
        {
            utf8Length = Volatile.Read(ref entry.Utf8Length);
            tagged = Volatile.Read(ref entry.Tagged);
            if (ReferenceEquals(Volatile.Read(ref entry.Metric), metric))
            {
                return true;
            }
        }

        utf8Length = 0;
        tagged = false;
        return false;
    }

    /// <summary>Remembers a name that passed every name check.</summary>
    public void Store(string metric, int utf8Length, bool tagged)
    {
        ref Entry entry = ref _entries[RuntimeHelpers.GetHashCode(metric) & (Size - 1)];
        lock (_storeSync)
        {
            Interlocked.Exchange(ref entry.Metric, null); // readers of the old name miss from here on
            entry.Utf8Length = utf8Length;
            entry.Tagged = tagged;
            Volatile.Write(ref entry.Metric, metric);
        }
    }

    private struct Entry
    {
        public string? Metric;
        public int Utf8Length;
        public bool Tagged;
    }
}
