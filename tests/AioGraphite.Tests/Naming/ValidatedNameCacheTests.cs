using AioGraphite.Naming;
using Xunit;

namespace AioGraphite.Tests.Naming;

public sealed class ValidatedNameCacheTests
{
    [Fact]
    public void TryGet_FindsTheSameInstanceOnly()
    {
        var cache = new ValidatedNameCache();
        string name = "servers.web1.cpu";
        string sameText = new([.. name]);
        Assert.False(cache.TryGet(name, out _, out _));

        cache.Store(name, 16, tagged: false);

        Assert.True(cache.TryGet(name, out int length, out bool tagged));
        Assert.Equal(16, length);
        Assert.False(tagged);
        Assert.False(cache.TryGet(sameText, out _, out _)); // equal text, another object: checked again
    }

    [Fact]
    public async Task TryGet_WhileOtherThreadsStoreCollidingNames_NeverReturnsAnotherNamesEntry()
    {
        // Producers look names up without a lock while others store: a hit must carry that name's own length and tag flag.
        var cache = new ValidatedNameCache();
        string[] names = [.. Enumerable.Range(0, 20_000).Select(i => new string('n', 1 + (i % 97)) + (i % 2 == 0 ? ";t=1" : ""))];
        long hits = 0;
        int torn = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        Task[] workers = [.. Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            var random = new Random(w);
            while (!stop.IsCancellationRequested)
            {
                string stored = names[random.Next(names.Length)];
                cache.Store(stored, stored.Length, stored.Contains(';'));
                string looked = names[random.Next(names.Length)];
                if (cache.TryGet(looked, out int length, out bool tagged))
                {
                    Interlocked.Increment(ref hits);
                    if (length != looked.Length || tagged != looked.Contains(';'))
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
}
