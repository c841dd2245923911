using BenchmarkDotNet.Attributes;

namespace AioGraphite.Benchmarks;

/// <summary>
/// <see cref="GraphiteEncoder"/>: one metric section per call. The result is a new string by design, so these
/// allocate exactly the returned string; what matters is the time and that nothing else is allocated.
/// </summary>
[MemoryDiagnoser]
public class EncoderBenchmarks
{
    private const string Ascii = "sproc performance@velo";
    private const string Unicode = "Café Zürich – 日本語";
    private string _asciiEncoded = string.Empty;
    private string _unicodeEncoded = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        _asciiEncoded = GraphiteEncoder.Encode(Ascii);
        _unicodeEncoded = GraphiteEncoder.Encode(Unicode);
    }

    /// <summary>ASCII with characters to quote (space, @): the common case for user-supplied text.</summary>
    [Benchmark(Baseline = true)]
    public string EncodeAscii() => GraphiteEncoder.Encode(Ascii);

    /// <summary>Non-ASCII text: punycode, then quoting.</summary>
    [Benchmark]
    public string EncodeUnicode() => GraphiteEncoder.Encode(Unicode);

    [Benchmark]
    public string DecodeAscii() => GraphiteEncoder.Decode(_asciiEncoded);

    [Benchmark]
    public string DecodeUnicode() => GraphiteEncoder.Decode(_unicodeEncoded);
}
