using AioGraphite.Benchmarks;
using BenchmarkDotNet.Running;

// `--check-doubles N`: the long exactness check of the double formatter against .NET's text (see DoubleFormatCheck).
if (args.Contains("--check-doubles"))
{
    return DoubleFormatCheck.Run(args);
}

// `--loop-cost`: what everything but the producer costs per segment, with no socket and no sink (see SenderLoopCost).
if (args.Contains("--loop-cost"))
{
    return SenderLoopCost.Run(args);
}

// Default to BenchmarkDotNet's short job (1 launch, 3 warm-ups, 3 iterations) so that `--filter '*'` takes a
// few minutes on two cores; pass `--job default` (or medium/long) for tighter confidence intervals.
string[] arguments = args.Any(a => a is "--job" or "-j") ? args : [.. args, "--job", "short"];
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(arguments);
return 0;
