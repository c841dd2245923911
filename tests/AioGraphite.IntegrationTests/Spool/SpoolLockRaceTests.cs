using AioGraphite.IntegrationTests.Faults;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Spool;

/// <summary>
/// Issue 16, item 4: two writers can never share a spool. 24 processes (the fault driver's <c>lock-race</c> mode) started
/// at once open and close clients on one spool, 15 times each; a clean close removes the emptied spool with its lock
/// file, which is where an unlinked lock file could be locked by one process while another locks a new one. While a
/// process holds the spool it creates a marker file with <c>O_EXCL</c> and deletes it before closing, so any overlap of
/// two holders fails a create. Every process must finish every round alone, waiting for the others (SpoolLockTimeout).
/// </summary>
[Trait("Category", FaultScenario.Category)]
public sealed class SpoolLockRaceTests
{
    private const int Processes = 24;
    private const int Rounds = 15;

    [Fact]
    public async Task ManyProcessesOpeningAndClosingOneSpool_NeverHoldItTogether()
    {
        string spool = SpoolScenario.NewDirectory("race");
        var drivers = new List<RunningProcess>();
        try
        {
            for (int i = 0; i < Processes; i++)
            {
                drivers.Add(RunningProcess.Start(DotnetHost.Path, [DotnetHost.BuiltProgram("AioGraphite.FaultDriver"), "lock-race", spool, Rounds.ToString(System.Globalization.CultureInfo.InvariantCulture)]));
            }

            ProcessRunner.Result[] results = await Task.WhenAll(drivers.Select(d => d.WaitForExitAsync(TimeSpan.FromMinutes(4))));
            for (int i = 0; i < results.Length; i++)
            {
                Assert.True(results[i].ExitCode == 0, $"driver {i} (pid {drivers[i].Id}) exited {results[i].ExitCode}: {results[i].StandardError}");
                Assert.Contains($"lock-race: rounds {Rounds}", results[i].StandardError, StringComparison.Ordinal);
            }

            Assert.Equal([], Directory.GetFileSystemEntries(spool)); // the last close removed the emptied spool
        }
        finally
        {
            foreach (RunningProcess driver in drivers)
            {
                await driver.DisposeAsync();
            }

            SpoolScenario.DeleteDirectory(spool);
        }
    }
}
