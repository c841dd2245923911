namespace AioGraphite.Throughput;

/// <summary>Carbon and relay modes: real servers (needs the carbon fixtures of AioGraphite.TestUtilities).</summary>
internal static class CarbonBenchmark
{
    public static Task<int> RunAsync(ToolOptions options)
    {
        Console.Error.WriteLine($"--mode {options.Mode} is not available yet.");
        return Task.FromResult(2);
    }
}
