using AioGraphite.Throughput;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(ToolOptions.Usage);
    return 0;
}

ToolOptions options;
try
{
    options = ToolOptions.Parse(args);
}
catch (UsageException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(ToolOptions.Usage);
    return 2;
}

Console.WriteLine($"machine: {Machine.Describe()}");
Console.WriteLine($"load average (1 min) at start: {Machine.Load()}");
return options.Mode switch
{
    "sink" => await SinkMode.RunAsync(options),
    "stalled" => await StalledBenchmark.RunAsync(options),
    "latency" => await LatencyBenchmark.RunAsync(options),
    "spool-recovery" => await SpoolRecoveryBenchmark.RunAsync(options),
    "soak" => await SoakBenchmark.RunAsync(options),
    "interleave" => InterleavedAb.Run(options),
    _ => await CarbonBenchmark.RunAsync(options),
};
