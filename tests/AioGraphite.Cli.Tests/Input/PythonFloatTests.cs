using System.Globalization;
using System.Text.Json;
using AioGraphite.Cli.Input;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Cli.Tests.Input;

public sealed class PythonFloatTests
{
    private static readonly string[] Samples =
    [
        "42", "-1.5", "+.5", "5.", ".5e1", "1e3", "1E-3", "1_000.000_1", "1e1_0", "  7  ", "\t-0\n", "0.1", "1e-400",
        "123456789012345678901234567890", "1.7976931348623157e308", "4.9e-324", "\u0663", "\u0661\u0662.\u0665",
        "", " ", "abc", "1,5", "0x10", "1__0", "_1", "1_", "1_.5", "1._5", ".", "e5", "1e", "1e+", "--1", "+-1", "1.2.3",
        "1 2", "1e_1", "1d", "∞", "Infinity1", "in f",
        "nan", "NaN", "-nan", "inf", "-Inf", "+Infinity", "INFINITY", "1e999", "-1e400",
    ];

    public static TheoryData<string> AllSamples() => new(Samples);

    [Theory]
    [InlineData("42", 42.0)]
    [InlineData("-1.5", -1.5)]
    [InlineData("+.5", 0.5)]
    [InlineData("5.", 5.0)]
    [InlineData("1e3", 1000.0)]
    [InlineData("1E-3", 0.001)]
    [InlineData("1_000.000_1", 1000.0001)]
    [InlineData("  7 ", 7.0)]
    [InlineData("\u0663", 3.0)]
    [InlineData("1e-400", 0.0)]
    public void TryParse_FiniteNumber_ReturnsItsValue(string text, double expected)
    {
        Assert.Equal(PythonFloat.Result.Finite, PythonFloat.TryParse(text, out double value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1,5")]
    [InlineData("0x10")]
    [InlineData("1__0")]
    [InlineData("_1")]
    [InlineData("1_")]
    [InlineData("1_.5")]
    [InlineData(".")]
    [InlineData("e5")]
    [InlineData("1e")]
    [InlineData("--1")]
    [InlineData("1.2.3")]
    [InlineData("∞")]
    public void TryParse_NotANumber_IsInvalid(string text)
    {
        Assert.Equal(PythonFloat.Result.Invalid, PythonFloat.TryParse(text, out _));
    }

    [Theory]
    [InlineData("nan")]
    [InlineData("-NaN")]
    [InlineData("inf")]
    [InlineData("+Infinity")]
    [InlineData("1e999")]
    [InlineData("-1e400")]
    public void TryParse_NanInfinityOrOverflow_IsNotFinite(string text)
    {
        Assert.Equal(PythonFloat.Result.NotFinite, PythonFloat.TryParse(text, out _));
    }

    [Fact]
    public async Task TryParse_AgreesWithCPythonFloat_OnEverySample()
    {
        // One python3 run: float(s) for every sample, "err" when it raises ValueError.
        const string script = """
            import json, sys, math
            for s in json.load(sys.stdin):
                try:
                    v = float(s)
                    print("nonfinite" if not math.isfinite(v) else "ok " + repr(v))
                except ValueError:
                    print("err")
            """;
        string output = await PythonScript.RunAsync(script, JsonSerializer.Serialize(Samples));
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Samples.Length, lines.Length);
        for (int i = 0; i < Samples.Length; i++)
        {
            PythonFloat.Result result = PythonFloat.TryParse(Samples[i], out double value);
            string ours = result switch
            {
                PythonFloat.Result.Finite => "ok " + PythonRepr(value),
                PythonFloat.Result.NotFinite => "nonfinite",
                _ => "err",
            };
            Assert.True(lines[i] == ours, $"sample {JsonSerializer.Serialize(Samples[i])}: python says '{lines[i]}', we say '{ours}'");
        }
    }

    /// <summary>The round-trip text CPython's repr gives for the doubles in the samples.</summary>
    private static string PythonRepr(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        if (text.Contains('E', StringComparison.Ordinal))
        {
            // CPython: 1e+29, 4.9e-324, 1.7976931348623157e+308
            string[] parts = text.Split('E');
            int exponent = int.Parse(parts[1], CultureInfo.InvariantCulture);
            return $"{parts[0]}e{(exponent < 0 ? "-" : "+")}{Math.Abs(exponent):00}";
        }

        return text.Contains('.', StringComparison.Ordinal) ? text : text + ".0";
    }
}
