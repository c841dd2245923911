using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Xunit;

namespace AioGraphite.Tests.Naming;

/// <summary>
/// Runs the original's algorithm in the real CPython on random strings and compares, both ways.
/// Requires /usr/bin/python3: a missing interpreter is a failure, never a skip.
/// </summary>
public sealed class GraphiteEncoderPythonCrossCheckTests
{
    private const string PythonPath = "/usr/bin/python3";
    private const int SampleCount = 500;

    // The original's GraphiteEncoder.encode, verbatim in substance.
    private const string Script = """
        import json, sys
        from urllib.parse import quote

        def encode(s):
            return quote(s.encode('punycode')).replace('.', '%2E')

        with open(sys.argv[1], encoding='utf-8') as source:
            names = json.load(source)
        with open(sys.argv[2], 'w', encoding='utf-8') as target:
            json.dump([encode(name) for name in names], target)
        """;

    [Fact]
    public void Encode_RandomStrings_MatchesCPythonAndDecodesItsOutput()
    {
        Assert.True(
            File.Exists(PythonPath),
            $"{PythonPath} is missing: this cross-check needs the real CPython. Install it with: apt-get install python3");

        List<string> names = RandomNames(new Random(20_240_501), SampleCount);
        DirectoryInfo directory = Directory.CreateTempSubdirectory("aiographite-encoder-");
        try
        {
            string inputPath = Path.Combine(directory.FullName, "names.json");
            string outputPath = Path.Combine(directory.FullName, "encoded.json");
            File.WriteAllText(inputPath, JsonSerializer.Serialize(names), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));

            RunPython(inputPath, outputPath);

            string[] pythonEncoded = JsonSerializer.Deserialize<string[]>(File.ReadAllText(outputPath))!;
            Assert.Equal(names.Count, pythonEncoded.Length);
            for (int i = 0; i < names.Count; i++)
            {
                string described = JsonSerializer.Serialize(names[i]);
                Assert.True(
                    pythonEncoded[i] == GraphiteEncoder.Encode(names[i]),
                    $"sample #{i} {described}: Python wrote '{pythonEncoded[i]}', C# wrote '{GraphiteEncoder.Encode(names[i])}'");
                Assert.True(
                    names[i] == GraphiteEncoder.Decode(pythonEncoded[i]),
                    $"sample #{i} {described}: Decode('{pythonEncoded[i]}') did not give the original back");
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static void RunPython(string inputPath, string outputPath)
    {
        var startInfo = new ProcessStartInfo(PythonPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add("-I");
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(Script);
        startInfo.ArgumentList.Add(inputPath);
        startInfo.ArgumentList.Add(outputPath);

        using Process process = Process.Start(startInfo)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        Task<string> stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{PythonPath} did not finish within 30 s");
        }

        Assert.True(
            process.ExitCode == 0,
            $"{PythonPath} exited with {process.ExitCode}: {stderr.GetAwaiter().GetResult()}{stdout.GetAwaiter().GetResult()}");
    }

    /// <summary>Random well-formed strings mixing ASCII (controls, '-', '%', '.', '/'), BMP and astral code points.</summary>
    private static List<string> RandomNames(Random random, int count)
    {
        const string Specials = "-%./~_ +:;@#\t\n\0\x7F";
        var names = new List<string>(count) { string.Empty, "-", "%", ".", "a", "é" };
        var builder = new StringBuilder();
        while (names.Count < count)
        {
            builder.Clear();
            int length = random.Next(0, 20);
            for (int i = 0; i < length; i++)
            {
                int codePoint = random.Next(10) switch
                {
                    0 or 1 or 2 => random.Next(0x20, 0x7F),
                    3 => Specials[random.Next(Specials.Length)],
                    4 => random.Next(0x00, 0x20),
                    5 => random.Next(0x80, 0x800),
                    6 => random.Next(0x800, 0xD800),
                    7 => random.Next(0xE000, 0x10000),
                    _ => random.Next(0x10000, 0x110000),
                };
                builder.Append(char.ConvertFromUtf32(codePoint));
            }

            names.Add(builder.ToString());
        }

        return names;
    }
}
