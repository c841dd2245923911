using System.Text.Json;
using Xunit;

namespace AioGraphite.Tests.Naming;

/// <summary>
/// Reads the conformance vectors written by the Python original (copied from shared/conformance into Data/),
/// one theory row per vector.
/// </summary>
internal static class ConformanceVectors
{
    public static IEnumerable<TheoryDataRow<string, string>> Encoder()
    {
        int index = 0;
        foreach ((string input, string encoded) in ReadEncoderVectors())
        {
            // The label replaces the raw argument list (which may hold NUL and other controls) in the test name.
            yield return new TheoryDataRow<string, string>(input, encoded)
            {
                Label = $"vector #{index}: {Describe(input)} <-> {Describe(encoded)}",
            };
            index++;
        }
    }

    public static IEnumerable<TheoryDataRow<string[], string>> Join()
    {
        using JsonDocument document = Load("join-vectors.json");
        int index = 0;
        foreach (JsonElement vector in document.RootElement.EnumerateArray())
        {
            string[] parts = vector.GetProperty("parts").EnumerateArray().Select(p => p.GetString()!).ToArray();
            string joined = vector.GetProperty("joined").GetString()!;
            yield return new TheoryDataRow<string[], string>(parts, joined)
            {
                Label = $"vector #{index}: {JsonSerializer.Serialize(parts)} -> {Describe(joined)}",
            };
            index++;
        }
    }

    /// <summary>The input strings of the encoder vectors, in file order.</summary>
    public static IReadOnlyList<string> EncoderInputs() => ReadEncoderVectors().Select(vector => vector.Input).ToList();

    private static List<(string Input, string Encoded)> ReadEncoderVectors()
    {
        using JsonDocument document = Load("encoder-vectors.json");
        var vectors = new List<(string Input, string Encoded)>();
        foreach (JsonElement vector in document.RootElement.EnumerateArray())
        {
            vectors.Add((vector.GetProperty("input").GetString()!, vector.GetProperty("encoded").GetString()!));
        }

        return vectors;
    }

    /// <summary>A printable, bounded rendering (JSON escapes for controls and non-ASCII) for test names.</summary>
    private static string Describe(string text)
    {
        string json = JsonSerializer.Serialize(text);
        return json.Length <= 48 ? json : string.Concat(json.AsSpan(0, 44), "...\"");
    }

    private static JsonDocument Load(string fileName)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Data", fileName);
        Assert.True(File.Exists(path), $"conformance file {path} is missing: it must be copied to the output directory (see the csproj).");
        return JsonDocument.Parse(File.ReadAllText(path));
    }
}
