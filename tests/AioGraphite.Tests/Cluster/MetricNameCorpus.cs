using System.Text;
using AioGraphite.Cluster;

namespace AioGraphite.Tests.Cluster;

/// <summary>Deterministic metric names for placement tests: plain, unicode, tagged (valid and not), OpenMetrics.</summary>
internal static class MetricNameCorpus
{
    private const string Plain = "abcdefghijklmnopqrstuvwxyz0123456789_-";
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    // Text in several scripts; all assigned long before Unicode 14, no lone surrogates.
    private static readonly string[] UnicodeBits =
    [
        "é", "ü", "ß", "ñ", "日本", "中文", "한국어", "привет", "Ελλάδα", "עברית", "العربية", "हिन्दी", "😀", "🚀", "𝔘𝔫𝔦",
        "\u00a0", "\u200b", "\ue000", "\uffe5", "\u2028", "µs", "°C", "€", "…", "\u0301",
    ];

    // Tag names that sort differently as ";tag=value" strings than as bare names ('.', '-', digits sort below '='),
    // plus code points on both sides of the UTF-16 vs code-point order difference.
    private static readonly string[] TagNames =
    [
        "a", "a.b", "a-b", "ab", "a0", "host", "dc", "env", "name", "region", "z", "Z", "_", "x:y", "t#1",
        "\ue000k", "\U0001F600k", "\uffe5", "ключ",
    ];

    /// <summary>Builds the corpus: at least 2,000 distinct names.</summary>
    /// <returns>The names, in a fixed order.</returns>
    public static IReadOnlyList<string> Build()
    {
        var random = new Random(20240611);
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string name)
        {
            if (seen.Add(name))
            {
                names.Add(name);
            }
        }

        // plain ASCII paths, depth 1..12, segments 1..40 characters, a few longer than the stackalloc buffer
        while (names.Count < 900)
        {
            int depth = random.Next(1, 13);
            var path = new StringBuilder();
            for (int d = 0; d < depth; d++)
            {
                if (d > 0)
                {
                    path.Append('.');
                }

                int length = random.Next(100) < 3 ? random.Next(100, 300) : random.Next(1, 41);
                string alphabet = random.Next(4) == 0 ? Plain + Upper : Plain;
                for (int i = 0; i < length; i++)
                {
                    path.Append(alphabet[random.Next(alphabet.Length)]);
                }
            }

            Add(path.ToString());
        }

        // unicode names
        while (names.Count < 1250)
        {
            int depth = random.Next(1, 7);
            var path = new StringBuilder();
            for (int d = 0; d < depth; d++)
            {
                if (d > 0)
                {
                    path.Append('.');
                }

                path.Append(Segment(random, 1, 8));
                if (random.Next(2) == 0)
                {
                    path.Append(UnicodeBits[random.Next(UnicodeBits.Length)]);
                    path.Append(Segment(random, 0, 5));
                }
            }

            Add(path.ToString());
        }

        // tagged names, tags in no particular order, sometimes a repeated tag or an explicit name= tag
        while (names.Count < 1950)
        {
            var tagged = new StringBuilder(random.Next(8) == 0 ? "~" : string.Empty);
            tagged.Append(Segment(random, 1, 10)).Append('.').Append(Segment(random, 1, 10));
            if (random.Next(5) == 0)
            {
                tagged.Append(UnicodeBits[random.Next(UnicodeBits.Length)]);
            }

            int count = random.Next(1, 6);
            for (int t = 0; t < count; t++)
            {
                string tag = TagNames[random.Next(TagNames.Length)];
                string value = Segment(random, 1, 8) + (random.Next(4) == 0 ? "." + Segment(random, 1, 4) : string.Empty);
                if (random.Next(8) == 0)
                {
                    value += UnicodeBits[random.Next(UnicodeBits.Length)];
                }

                tagged.Append(';').Append(tag).Append('=').Append(value);
            }

            Add(tagged.ToString());
        }

        // tagged names carbon refuses to parse (kept as sent by TAG_RELAY_NORMALIZED) and edge cases it accepts
        string[] odd =
        [
            "a.b;k=", "a.b;k=~v", "a.b;k!=v", "a.b;k^x=v", "a.b;=v", "a.b;kv", ";k=v", "~;k=v", "~~~", "~~~a.b", "~a.b",
            "a.b;", "a.b;;k=v", "a.b;k=v;", "a.b;k=v=w", "a.b;k=v;k=w", "a.b;name=other;k=v", "a.b;k=v~", " a.b;k=v",
            "a.b ;k=v", "a.b;k= v", "a..b;k=v", ".a.b;k=v", "a.b.;k=v", "a;b=1;a=2;c=3", "x;a.b=1;a=2", "x;a=2;a.b=1",
        ];
        foreach (string name in odd)
        {
            Add(name);
        }

        // OpenMetrics-style names, valid and not
        string[] openMetrics =
        [
            "http_requests{method=\"get\",code=\"200\"}", "http_requests{code=\"200\",method=\"get\"}",
            "m{a=\"x\\\"y\"}", "m{a=\"x\\\\y\"}", "m{a=\"1\":,b=\"2\"}", "m{a=\"1\"b=\"2\"}", "m{a=\"\"}", "{a=\"1\"}",
            "m{a=\"1\"}{b=\"2\"}", "m{{a=\"1\"}", "m{a=\"~1\"}", "m{a;b=\"1\"}", "m{a=\"1;2\"}", "~m{a=\"1\"}",
            "m{a=\"1\",}", "m{a=\"1\"\n}", "m{=\"1\"}", "m{a=\"v\",name=\"n\"}", "m{z=\"1\",a.b=\"2\",a=\"3\"}",
        ];
        foreach (string name in openMetrics)
        {
            Add(name);
        }

        // more tagged names with random structure until 2,100
        while (names.Count < 2100)
        {
            var tagged = new StringBuilder(Segment(random, 1, 6));
            int count = random.Next(1, 4);
            for (int t = 0; t < count; t++)
            {
                tagged.Append(';').Append(Segment(random, 0, 3)).Append(random.Next(10) == 0 ? string.Empty : "=").Append(Segment(random, 0, 3));
            }

            Add(tagged.ToString());
        }

        return names;
    }

    /// <summary>Names whose ring position is one of <paramref name="positions"/> (to hit collided ring entries).</summary>
    /// <param name="positions">The positions wanted.</param>
    /// <param name="perPosition">How many names per position.</param>
    /// <returns>The names.</returns>
    public static IReadOnlyList<string> AtPositions(IReadOnlyCollection<int> positions, int perPosition)
    {
        var found = new Dictionary<int, int>();
        var names = new List<string>();
        for (int k = 0; names.Count < positions.Count * perPosition && k < 50_000_000; k++)
        {
            string name = "collide.n" + k.ToString(System.Globalization.CultureInfo.InvariantCulture);
            int position = CarbonConsistentHashRing.ComputePosition(name);
            if (positions.Contains(position) && found.GetValueOrDefault(position) < perPosition)
            {
                found[position] = found.GetValueOrDefault(position) + 1;
                names.Add(name);
            }
        }

        return names;
    }

    private static string Segment(Random random, int min, int max)
    {
        int length = random.Next(min, max + 1);
        var segment = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            segment.Append(Plain[random.Next(Plain.Length)]);
        }

        return segment.ToString();
    }
}
