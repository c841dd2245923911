using System.Text.Json;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Infrastructure;

/// <summary>The C# copy of carbon.util.TaggedSeries against carbon's Python original.</summary>
public sealed class CarbonTaggedSeriesTests
{
    private static readonly string[] Names =
    [
        "a.b.c",
        ".a.b.",
        "a..b",
        "a/b.c",
        "~tilde.name",
        "cpu;host=web1",
        "cpu;z=1;a=2;m=3",
        "some.metric;tag1=value2;tag2=value.2",
        "disk.used;datacenter=dc1;rack=a1;server=web01",
        "a;a-b=1;a=2",
        "ünï.cödé;tåg=välüe",
        "emoji;\uFF01=1;\U0001F600=2",
        "dup;k=1;k=2",
        "m;name=other",
        "~m;k=v",
        "m;k=v=w",
        "m{a=\"b\",c=\"d\\\"e\"}",
        "m.x{zz=\"1\",aa=\"2\"}",
        "m{a=\"b\"",
        "x{a=b}",
        // rejected by carbon (stored under the raw name)
        "a;=b",
        "a;b",
        ";a=b",
        "a;k=~v",
        "a;k=",
        "a;k!x=1",
        "a;k=v;",
        "~~~",
        "{a=\"b\"}",
        "m{a=\"b\"}{c=\"d\"}",
        "m{a=\"b\",}",
    ];

    [Fact]
    public async Task Normalised_names_and_storage_paths_match_carbons_TaggedSeries()
    {
        var json = await PythonScript.RunAsync(
            """
            import json, sys
            from carbon.util import TaggedSeries
            out = []
            for name in json.load(sys.stdin):
                try:
                    path = TaggedSeries.parse(name).path
                except Exception:
                    path = None
                stored = path if path is not None else name
                out.append({'path': path,
                            'hashed': TaggedSeries.encode(stored, '/', hash_only=True),
                            'plain': TaggedSeries.encode(stored, '/', hash_only=False)})
            print(json.dumps(out))
            """,
            JsonSerializer.Serialize(Names),
            cancellationToken: TestContext.Current.CancellationToken);
        using var python = JsonDocument.Parse(json);

        for (var i = 0; i < Names.Length; i++)
        {
            var name = Names[i];
            var expected = python.RootElement[i];
            var expectedPath = expected.GetProperty("path").GetString();
            string? actualPath;
            try
            {
                actualPath = CarbonTaggedSeries.ParsePath(name);
            }
            catch (FormatException)
            {
                actualPath = null;
            }

            Assert.True(expectedPath == actualPath, $"{name}: python {expectedPath ?? "(error)"}, C# {actualPath ?? "(error)"}");
            Assert.Equal(expectedPath ?? name, CarbonTaggedSeries.Normalize(name));
            Assert.Equal(expected.GetProperty("hashed").GetString(), CarbonTaggedSeries.Encode(CarbonTaggedSeries.Normalize(name), '/', hashOnly: true));
            Assert.Equal(expected.GetProperty("plain").GetString(), CarbonTaggedSeries.Encode(CarbonTaggedSeries.Normalize(name), '/', hashOnly: false));
            Assert.Equal(expected.GetProperty("hashed").GetString() + ".wsp", CarbonTaggedSeries.WhisperRelativePath(name));
        }
    }

    [Fact]
    public void Sorting_is_by_code_point_like_python()
        => Assert.Equal("emoji;\uFF01=1;\U0001F600=2", CarbonTaggedSeries.ParsePath("emoji;\U0001F600=2;\uFF01=1"));
}
