using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AioGraphite.Protocols;

/// <summary>
/// Metric names already checked, with their encoded bytes (<see cref="EncodedName"/>), keyed by the string instance
/// (strings are immutable, so a name that passed once always passes): most applications send the same name objects
/// again and again, and checking and encoding the name is a good part of the per-point cost.
/// <para>
/// Set-associative: a name's identity hash picks a set of <see cref="Ways"/> entries, so names that collide share the set
/// instead of evicting each other on every send. A set's keys (the name strings) lie together, one cache line of
/// references, apart from the entries: a lookup compares references only, and reads the one entry that matched. When a
/// set is full the table doubles, up to <see cref="MaxEntries"/>; past that a full set replaces its entries in turn.
/// Lookups take no lock and never allocate; a store (a name's first send) allocates the name's record once.
/// </para>
/// <para>
/// Thread-safe: an entry is one reference to an immutable <see cref="EncodedName"/>, read and written whole, and a hit is
/// checked against the entry's own name (a key and its entry are written apart, so a key may briefly sit beside another
/// name's entry: that reads as a miss); the table is one object, replaced whole when it grows. Stores, rare, are
/// serialized by a lock of their own.
/// </para>
/// </summary>
internal sealed class EncodedNameCache
{
    /// <summary>Entries per set: eight keys, one 64-byte cache line.</summary>
    public const int Ways = 8;

    /// <summary>Entries of a new cache (64 KiB of keys and entries).</summary>
    public const int InitialEntries = 4096;

    /// <summary>
    /// Most entries (256 KiB of keys and entries): the names of a large service, while a producer that makes a new
    /// string for every send (never a hit) keeps at most this many names alive.
    /// </summary>
    public const int MaxEntries = 16384;

    // Read by any producer without a lock; replaced whole by a store that grows it.
    private Table _table = new(InitialEntries);

    // Under _storeSync.
    private readonly Lock _storeSync = new();
    private int _nextVictim;

    /// <summary>Entries the table holds now (it doubles when a set fills, up to <see cref="MaxEntries"/>).</summary>
    public int Capacity => Volatile.Read(ref _table).Entries.Length;

    /// <summary>The entry of <paramref name="metric"/> (this very string object), or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public EncodedName? Find(string metric)
    {
        Table table = Volatile.Read(ref _table);
        int start = SetStart(metric, table.Keys.Length);
        ref string? keys = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(table.Keys), start);
        for (int i = 0; i < Ways; i++)
        {
            if (ReferenceEquals(Volatile.Read(ref Unsafe.Add(ref keys, i)), metric))
            {
                EncodedName? entry = Volatile.Read(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(table.Entries), start + i));
                return entry is not null && ReferenceEquals(entry.Metric, metric) ? entry : null;
            }
        }

        return null;
    }

    /// <summary>Remembers a name that passed every name check (and fits a line whatever its value and timestamp).</summary>
    public void Store(EncodedName name)
    {
        lock (_storeSync)
        {
            Table table = _table;
            if (!table.TryPut(name))
            {
                if (table.Entries.Length < MaxEntries)
                {
                    Volatile.Write(ref _table, table.Grown(name));
                }
                else
                {
                    table.Put(SetStart(name.Metric, table.Keys.Length) + (_nextVictim++ & (Ways - 1)), name);
                }
            }
        }
    }

    private static int SetStart(string metric, int entries) => (RuntimeHelpers.GetHashCode(metric) & ((entries / Ways) - 1)) * Ways;

    /// <summary>The keys and entries of one size; replaced whole when the cache grows.</summary>
    private sealed class Table
    {
        public Table(int size)
        {
            Keys = new string?[size];
            Entries = new EncodedName?[size];
        }

        /// <summary>Each entry's name, where lookups compare.</summary>
        public string?[] Keys { get; }

        /// <summary>The entries, at their keys' indexes.</summary>
        public EncodedName?[] Entries { get; }

        /// <summary>Puts the entry first, then its key: a reader that finds the key finds the entry (or another name's, which it checks).</summary>
        public void Put(int index, EncodedName name)
        {
            Volatile.Write(ref Entries[index], name);
            Volatile.Write(ref Keys[index], name.Metric);
        }

        /// <summary>Puts <paramref name="name"/> into a free way of its set (or over its own earlier entry); false when the set is full.</summary>
        public bool TryPut(EncodedName name)
        {
            int start = SetStart(name.Metric, Keys.Length);
            for (int i = start; i < start + Ways; i++)
            {
                string? key = Keys[i];
                if (key is null || ReferenceEquals(key, name.Metric))
                {
                    Put(i, name);
                    return true;
                }
            }

            return false;
        }

        /// <summary>A table twice the size holding every entry of this one and <paramref name="name"/> (doubling again in the rare case a set still overflows).</summary>
        public Table Grown(EncodedName name)
        {
            for (int size = Entries.Length * 2; ; size *= 2)
            {
                var grown = new Table(size);
                bool fits = grown.TryPut(name);
                foreach (EncodedName? entry in Entries)
                {
                    fits &= entry is null || grown.TryPut(entry);
                }

                if (fits || size >= MaxEntries)
                {
                    return grown;
                }
            }
        }
    }
}
