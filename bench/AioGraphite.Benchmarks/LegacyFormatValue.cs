using System.Buffers.Text;
using System.Globalization;
using AioGraphite.Naming;

namespace AioGraphite.Benchmarks;

/// <summary>
/// <c>PlaintextFormat.FormatValue</c> as it was before issue 17 (commit 8a32014): two fast paths, then .NET's
/// <c>double.TryFormat</c>. Kept only so that <see cref="FormatValueBenchmarks"/> compares old and new in one run.
/// </summary>
internal static class LegacyFormatValue
{
    public static int Format(double value, Span<byte> destination)
    {
        double abs = Math.Abs(value);
        if (abs < 1e15)
        {
            if (value == Math.Floor(value))
            {
                if (value != 0 || !double.IsNegative(value))
                {
                    Utf8Formatter.TryFormat((long)value, destination, out int written);
                    return written;
                }
            }
            else if (abs >= 1e-4)
            {
                int written = TryFormatFewDecimals(value, destination);
                if (written > 0)
                {
                    return written;
                }
            }
        }

        value.TryFormat(destination, out int n, default, CultureInfo.InvariantCulture);
        return n;
    }

    private static readonly double[] PowersOfTen = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6];

    private static int TryFormatFewDecimals(double value, Span<byte> destination)
    {
        for (int k = 1; k < PowersOfTen.Length; k++)
        {
            double scaled = value * PowersOfTen[k];
            if (scaled != Math.Floor(scaled))
            {
                continue;
            }

            // IEEE division is correctly rounded, so this holds exactly when the decimal N / 10^k parses to value.
            if (Math.Abs(scaled) >= 9007199254740992.0 || scaled / PowersOfTen[k] != value)
            {
                return 0;
            }

            // value * 10^k can be exactly whole where value * 10^(k-1) was not (0.55 * 100 = 55.000000000000007,
            // 0.55 * 10^4 = 5500): drop the trailing zeros; N / 10^k stays the same number.
            long n = (long)scaled;
            while (n % 10 == 0)
            {
                n /= 10;
                k--;
            }

            int length = 0;
            if (n < 0)
            {
                destination[length++] = (byte)'-';
                n = -n;
            }

            Span<byte> digits = stackalloc byte[MetricNameRules.MaxTimestampChars]; // a long's digits
            Utf8Formatter.TryFormat(n, digits, out int count);
            int whole = count - k;
            if (whole <= 0)
            {
                destination[length++] = (byte)'0';
                destination[length++] = (byte)'.';
                destination.Slice(length, -whole).Fill((byte)'0');
                length += -whole;
                digits[..count].CopyTo(destination[length..]);
                return length + count;
            }

            digits[..whole].CopyTo(destination[length..]);
            length += whole;
            destination[length++] = (byte)'.';
            digits[whole..count].CopyTo(destination[length..]);
            return length + k;
        }

        return 0;
    }
}
