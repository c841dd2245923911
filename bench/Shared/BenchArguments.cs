using System.Globalization;

namespace AioGraphite.Bench;

/// <summary>The tools' command-line pieces: an option's value, and counts with suffixes (20M, 1.5k, 64Mi).</summary>
internal static class BenchArguments
{
    /// <summary>The argument after <paramref name="name"/>, or null when the option is not given.</summary>
    public static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>A count: digits (underscores allowed), or a number with k/K/M/G (powers of 1000) or Ki/Mi/Gi (of 1024).</summary>
    /// <exception cref="FormatException">Not a count.</exception>
    /// <exception cref="OverflowException">Too large.</exception>
    public static long Count(string text)
    {
        (string suffix, double factor)[] suffixes = [("Ki", 1024), ("Mi", 1 << 20), ("Gi", 1 << 30), ("k", 1e3), ("K", 1e3), ("M", 1e6), ("G", 1e9)];
        foreach ((string suffix, double factor) in suffixes)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal))
            {
                return checked((long)(double.Parse(text[..^suffix.Length], CultureInfo.InvariantCulture) * factor));
            }
        }

        return long.Parse(text.Replace("_", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture);
    }
}
