using System.Runtime.CompilerServices;
using System.Text;
using AioGraphite.Protocols;
using AioGraphite.Tests.Support;
using Xunit;

namespace AioGraphite.Tests.Protocols;

public sealed class EncodedNameCacheTests
{
    private static readonly PlaintextFormat Plaintext = new();

    [Fact]
    public void Find_FindsTheSameInstanceOnly()
    {
        var cache = new EncodedNameCache();
        string name = "servers.web1.cpu";
        string sameText = new([.. name]);
        Assert.Null(cache.Find(name));

        cache.Store(Encode(name));

        EncodedName? found = cache.Find(name);
        Assert.NotNull(found);
        Assert.Same(name, found.Metric);
        Assert.Equal("servers.web1.cpu "u8.ToArray(), found.Record.AsSpan(0, found.RecordLength).ToArray());
        Assert.Equal(0, found.Record.Length % EncodedName.CopyBlockBytes); // padded for the block copy
        Assert.Null(cache.Find(sameText)); // equal text, another object: checked again
    }

    [Fact]
    public void NamesThatCollide_AllStay_TheTableGrows()
    {
        // A direct-mapped cache would evict the first of two colliding names on every send of the other.
        string[] colliding = CollidingNames(EncodedNameCache.Ways + 1, EncodedNameCache.InitialEntries);
        var cache = new EncodedNameCache();
        foreach (string name in colliding)
        {
            cache.Store(Encode(name));
        }

        Assert.All(colliding, name => Assert.NotNull(cache.Find(name)));
        Assert.True(cache.Capacity > EncodedNameCache.InitialEntries, $"capacity {cache.Capacity}");
    }

    [Fact]
    public void AtItsLargest_AFullSetReplacesOneEntry()
    {
        string[] colliding = CollidingNames(EncodedNameCache.Ways + 1, EncodedNameCache.MaxEntries);
        var cache = new EncodedNameCache();
        foreach (string name in colliding)
        {
            cache.Store(Encode(name));
        }

        Assert.Equal(EncodedNameCache.MaxEntries, cache.Capacity);
        Assert.NotNull(cache.Find(colliding[^1]));
        Assert.Equal(EncodedNameCache.Ways - 1, colliding[..^1].Count(name => cache.Find(name) is not null));
    }

    [Fact]
    public void ANewStringForEverySend_KeepsAtMostMaxEntriesNamesAlive()
    {
        // A producer that builds its names anew for each send never hits: the cache must stay bounded, and keep working.
        var cache = new EncodedNameCache();
        string last = "";
        for (int i = 0; i < 20 * EncodedNameCache.MaxEntries; i++)
        {
            last = $"requests.{i}.count";
            cache.Store(Encode(last));
        }

        Assert.Equal(EncodedNameCache.MaxEntries, cache.Capacity);
        Assert.NotNull(cache.Find(last)); // the last store always lands
    }

    [Fact]
    public void StoringANameAgain_ReplacesItsEntry_WithoutTakingAnotherWay()
    {
        string[] colliding = CollidingNames(EncodedNameCache.Ways, EncodedNameCache.InitialEntries);
        var cache = new EncodedNameCache();
        foreach (string name in colliding)
        {
            cache.Store(Encode(name));
            cache.Store(Encode(name));
        }

        Assert.All(colliding, name => Assert.NotNull(cache.Find(name)));
        Assert.Equal(EncodedNameCache.InitialEntries, cache.Capacity);
    }

    [Fact]
    public void Find_AllocatesNothing()
    {
        var cache = new EncodedNameCache();
        string[] names = [.. Enumerable.Range(0, 1000).Select(i => $"servers.web{i:D3}.cpu")];
        foreach (string name in names)
        {
            cache.Store(Encode(name));
        }

        // The fewest bytes of five rounds of 20 passes: a lookup that allocated would show in every round, while the
        // runtime may allocate once on this thread as this loop moves up the JIT's tiers (a run beside a second test
        // process saw 4,184 bytes in one go).
        int found = 0;
        long[] allocated = ThreadAllocations.InRounds(5, () =>
        {
            for (int pass = 0; pass < 20; pass++)
            {
                foreach (string name in names)
                {
                    found += cache.Find(name) is null ? 0 : 1;
                }
            }
        });

        Assert.True(allocated.Min() == 0, $"Find allocated [{string.Join(", ", allocated)}] bytes in five rounds of 20,000 lookups");
        Assert.Equal(100_000, found);
    }

    [Fact]
    public async Task Find_WhileOtherThreadsStoreCollidingNames_NeverReturnsAnotherNamesEntry()
    {
        // Producers look names up without a lock while others store: a hit must carry that name's own bytes.
        var cache = new EncodedNameCache();
        string[] names = [.. Enumerable.Range(0, 20_000).Select(i => new string('n', 1 + (i % 97)) + (i % 2 == 0 ? ";t=1" : ""))];
        EncodedName[] encoded = [.. names.Select(Encode)];
        long hits = 0;
        int torn = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        Task[] workers = [.. Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            var random = new Random(w);
            while (!stop.IsCancellationRequested)
            {
                cache.Store(encoded[random.Next(names.Length)]);
                string looked = names[random.Next(names.Length)];
                if (cache.Find(looked) is { } entry)
                {
                    Interlocked.Increment(ref hits);
                    if (!ReferenceEquals(entry.Metric, looked) || entry.RecordLength != looked.Length + 1 || entry.Tagged != looked.Contains(';'))
                    {
                        Interlocked.Increment(ref torn);
                    }
                }
            }
        }))];
        await Task.WhenAll(workers);

        Assert.Equal(0, torn);
        Assert.True(hits > 0);
    }

    private static EncodedName Encode(string name) => Plaintext.Encode(default, name, Encoding.UTF8.GetByteCount(name), default);

    /// <summary>Distinct name objects whose identity hashes pick the same set in a table of <paramref name="entries"/>.</summary>
    private static string[] CollidingNames(int count, int entries)
    {
        var bySet = new Dictionary<int, List<string>>();
        for (int i = 0; ; i++)
        {
            string name = $"collide.{i}";
            int set = RuntimeHelpers.GetHashCode(name) & ((entries / EncodedNameCache.Ways) - 1);
            if (!bySet.TryGetValue(set, out List<string>? names))
            {
                bySet[set] = names = [];
            }

            names.Add(name);
            if (names.Count == count)
            {
                return [.. names];
            }
        }
    }
}
