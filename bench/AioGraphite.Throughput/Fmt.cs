using System.Globalization;

namespace AioGraphite.Throughput;

/// <summary>Human-readable numbers (decimal units: M = 10^6, GB = 10^9).</summary>
internal static class Fmt
{
    public static string Rate(double perSecond) => perSecond switch
    {
        >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1e6:0.00}M"),
        >= 1e3 => string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1e3:0.0}k"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{perSecond:0}"),
    };

    public static string Bytes(double bytes) => bytes switch
    {
        >= 1e9 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:0.00} GB"),
        >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:0.0} MB"),
        >= 1e3 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e3:0.0} kB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes:0} B"),
    };

    public static string MiB(double bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1 << 20):0.0} MiB");

    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    public static string Num(double value, string format = "0.00") => value.ToString(format, CultureInfo.InvariantCulture);

    public static string Percent(double ratio) => string.Create(CultureInfo.InvariantCulture, $"{ratio * 100:0.0}%");

    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
