using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AioGraphite.Protocols;

/// <summary>
/// Metric names already checked, with their encoded bytes (<see cref="EncodedName"/>), keyed by the string instance
/// (strings are immutable, so a name that passed once always passes): most applications send the same name objects
/// again and again, and checking and encoding the name is a good part of the per-point cost.
/// <para>
/// Set-associative: a name's identity hash picks a set of <see cref="Ways"/> entries (one cache line of references),
/// so names that collide share the set instead of evicting each other on every send. When a set is full the table
/// doubles, up to <see cref="MaxEntries"/>; past that a full set replaces its entries in turn. Lookups take no lock and
/// never allocate; a store (a name's first send) allocates the name's record once.
/// </para>
/// <para>
/// Thread-safe: an entry is one reference to an immutable <see cref="EncodedName"/>, read and written whole; the table
/// is one reference, replaced whole when it grows. Stores, rare, are serialized by a lock of their own.
/// </para>
/// </summary>
internal sealed class EncodedNameCache
{
    /// <summary>Entries per set: eight references, one 64-byte cache line.</summary>
    public const int Ways = 8;

    /// <summary>Entries of a new cache (32 KiB of references).</summary>
    public const int InitialEntries = 4096;

    /// <summary>
    /// Most entries (128 KiB of references): the names of a large service, while a producer that makes a new string for
    /// every send (never a hit) keeps at most this many names alive.
    /// </summary>
    public const int MaxEntries = 16384;

    // Read by any producer without a lock; replaced whole by a store that grows it.
    private EncodedName?[] _entries = new EncodedName?[InitialEntries];

    // Under _storeSync.
    private readonly Lock _storeSync = new();
    private int _nextVictim;

    /// <summary>Entries the table holds now (it doubles when a set fills, up to <see cref="MaxEntries"/>).</summary>
    public int Capacity => Volatile.Read(ref _entries).Length;

    /// <summary>The entry of <paramref name="metric"/> (this very string object), or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public EncodedName? Find(string metric)
    {
        EncodedName?[] entries = Volatile.Read(ref _entries);
        ref EncodedName? set = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(entries), SetStart(metric, entries.Length));
        for (int i = 0; i < Ways; i++)
        {
            EncodedName? entry = Volatile.Read(ref Unsafe.Add(ref set, i));
            if (entry is not null && ReferenceEquals(entry.Metric, metric))
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>Remembers a name that passed every name check (and fits a line whatever its value and timestamp).</summary>
    public void Store(EncodedName name)
    {
        lock (_storeSync)
        {
            EncodedName?[] entries = _entries;
            if (!TryPut(entries, name))
            {
                if (entries.Length < MaxEntries)
                {
                    Volatile.Write(ref _entries, Grown(entries, name));
                }
                else
                {
                    entries[SetStart(name.Metric, entries.Length) + (_nextVictim++ & (Ways - 1))] = name;
                }
            }
        }
    }

    /// <summary>A table twice the size holding every entry of <paramref name="entries"/> and <paramref name="name"/> (doubling again in the rare case a set still overflows).</summary>
    private static EncodedName?[] Grown(EncodedName?[] entries, EncodedName name)
    {
        for (int size = entries.Length * 2; ; size *= 2)
        {
            var grown = new EncodedName?[size];
            bool fits = TryPut(grown, name);
            foreach (EncodedName? entry in entries)
            {
                fits &= entry is null || TryPut(grown, entry);
            }

            if (fits || size >= MaxEntries)
            {
                return grown;
            }
        }
    }

    /// <summary>Puts <paramref name="name"/> into a free way of its set (or over its own earlier entry); false when the set is full.</summary>
    private static bool TryPut(EncodedName?[] entries, EncodedName name)
    {
        int start = SetStart(name.Metric, entries.Length);
        for (int i = start; i < start + Ways; i++)
        {
            EncodedName? entry = entries[i];
            if (entry is null || ReferenceEquals(entry.Metric, name.Metric))
            {
                Volatile.Write(ref entries[i], name);
                return true;
            }
        }

        return false;
    }

    private static int SetStart(string metric, int entries) => (RuntimeHelpers.GetHashCode(metric) & ((entries / Ways) - 1)) * Ways;
}
