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
}
