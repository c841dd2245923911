namespace AioGraphite.Throughput;

/// <summary>The slope of the least-squares line through points (x, y): how fast y grows per unit of x.</summary>
internal static class LeastSquares
{
    /// <summary>The slope, or NaN with fewer than two distinct x.</summary>
    public static double Slope(IReadOnlyList<(double X, double Y)> points)
    {
        int n = points.Count;
        if (n < 2)
        {
            return double.NaN;
        }

        double meanX = 0;
        double meanY = 0;
        foreach ((double x, double y) in points)
        {
            meanX += x / n;
            meanY += y / n;
        }

        double sxy = 0;
        double sxx = 0;
        foreach ((double x, double y) in points)
        {
            sxy += (x - meanX) * (y - meanY);
            sxx += (x - meanX) * (x - meanX);
        }

        return sxx == 0 ? double.NaN : sxy / sxx;
    }
}
