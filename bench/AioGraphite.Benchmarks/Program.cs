using BenchmarkDotNet.Running;

// Default to BenchmarkDotNet's short job (1 launch, 3 warm-ups, 3 iterations) so that `--filter '*'` takes a
// few minutes on two cores; pass `--job default` (or medium/long) for tighter confidence intervals.
string[] arguments = args.Any(a => a is "--job" or "-j") ? args : [.. args, "--job", "short"];
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(arguments);
