using AioGraphite.Naming;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Tests.Naming;

public sealed class GraphiteTagsTests
{
    [Fact]
    public void Format_SortsTagsLikeCarbon()
    {
        string name = GraphiteTags.Format("disk.used", ("host", "web1"), ("dc", "eu"), ("a", "z"));
        Assert.Equal("disk.used;a=z;dc=eu;host=web1", name);
    }

    [Theory]
    [InlineData("", "v")]
    [InlineData("a;b", "v")]
    [InlineData("a!b", "v")]
    [InlineData("a^b", "v")]
    [InlineData("a=b", "v")]
    [InlineData("t", "")]
    [InlineData("t", "a;b")]
    [InlineData("t", "~v")]
    [InlineData("t", "a b")]
    [InlineData("name", "v")]
    public void Format_TagBreakingTheRules_ThrowsArgumentExceptionNamingIt(string tag, string value)
    {
        var ex = Assert.Throws<ArgumentException>(() => GraphiteTags.Format("m", (tag, value)));
        Assert.Contains($"'{tag}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_DuplicateTag_Throws() =>
        Assert.Throws<ArgumentException>(() => GraphiteTags.Format("m", ("a", "1"), ("a", "2")));

    [Theory]
    [InlineData("")]
    [InlineData("a;b")]
    [InlineData("~~")]
    [InlineData("a b")]
    public void Format_BadSeriesName_Throws(string name) =>
        Assert.Throws<ArgumentException>(() => GraphiteTags.Format(name, ("a", "1")));

    [Fact]
    public void Format_Null_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => GraphiteTags.Format(null!, ("a", "1")));
        Assert.Throws<ArgumentNullException>(() => GraphiteTags.Format("m", (IEnumerable<KeyValuePair<string, string>>)null!));
    }

    [Fact]
    public void CompareCodePoints_OrdersAstralAfterPrivateUse_LikePython()
    {
        Assert.True(TaggedName.CompareCodePoints("\U0001F600", "\uE000") > 0);
        Assert.True(string.CompareOrdinal("\U0001F600", "\uE000") < 0);
    }

    [Fact]
    public async Task Format_RandomTags_EqualsCarbonsOwnNormalisation()
    {
        var random = new Random(7);
        string[] alphabet = ["a", "B", "z", "0", "_", "-", ".", "\u00e9", "\uE000", "\U0001F600", "~"];
        var cases = new List<(string Name, (string, string)[] Tags)>();
        for (int i = 0; i < 300; i++)
        {
            var tags = new Dictionary<string, string>();
            int n = random.Next(1, 6);
            while (tags.Count < n)
            {
                string key = string.Concat(Enumerable.Range(0, random.Next(1, 4)).Select(_ => alphabet[random.Next(alphabet.Length - 1)]));
                string value = string.Concat(Enumerable.Range(0, random.Next(1, 4)).Select(_ => alphabet[random.Next(alphabet.Length)]));
                if (value.StartsWith('~') || key == "name")
                {
                    continue;
                }

                tags[key] = value;
            }

            cases.Add(($"series{i}.x", [.. tags.Select(t => (t.Key, t.Value))]));
        }

        // carbon parses the unsorted raw path and formats it normalised.
        string input = string.Join("\n", cases.Select(c => c.Name + string.Concat(c.Tags.Select(t => $";{t.Item1}={t.Item2}"))));
        const string Script = """
            import sys
            from carbon.util import TaggedSeries
            for line in sys.stdin.read().split("\n"):
                print(TaggedSeries.parse(line).path)
            """;
        string[] carbon = (await PythonScript.RunAsync(Script, input, cancellationToken: TestContext.Current.CancellationToken)).TrimEnd('\n').Split('\n');
        Assert.Equal(cases.Count, carbon.Length);
        for (int i = 0; i < cases.Count; i++)
        {
            Assert.Equal(carbon[i], GraphiteTags.Format(cases[i].Name, cases[i].Tags));
        }
    }
}
