using System.Globalization;

namespace AioGraphite.FaultDriver;

/// <summary>
/// <c>AioGraphite.FaultDriver lock-race DIR ROUNDS</c>: opens and closes a client on the spool DIR ROUNDS times (carbon
/// need not run: the client connects lazily and closes at once). While it holds the spool it creates the marker file
/// <c>DIR/holding</c> with <c>O_EXCL</c> and deletes it before closing: when two processes ever hold the spool at once, the
/// second one's create fails, and it prints <c>lock-race: overlap</c> and exits 3. Exit code 0 when every round held the
/// spool alone ("lock-race: rounds N"), 1 on any other error (printed).
/// </summary>
internal static class LockRace
{
    public const string Marker = "holding";

    public static async Task<int> RunAsync(string[] args)
    {
        string root = args[0];
        int rounds = int.Parse(args[1], CultureInfo.InvariantCulture);
        string marker = Path.Combine(root, Marker);
        var options = new GraphiteClientOptions
        {
            SpoolDirectory = root,
            SpoolLockTimeout = TimeSpan.FromMinutes(2),
            DrainTimeout = TimeSpan.Zero,
        };
        for (int round = 0; round < rounds; round++)
        {
            GraphiteClient client = GraphiteClient.Create("127.0.0.1", 9, options: options); // nothing listens on port 9
            await using (client.ConfigureAwait(false))
            {
                try
                {
                    using (new FileStream(marker, FileMode.CreateNew, FileAccess.Write))
                    {
                    }
                }
                catch (IOException ex) when (File.Exists(marker))
                {
                    await Console.Error.WriteLineAsync($"lock-race: overlap in round {round}: {ex.Message}").ConfigureAwait(false);
                    return 3;
                }

                Thread.Sleep(Random.Shared.Next(0, 3));
                File.Delete(marker);
            }
        }

        await Console.Error.WriteLineAsync($"lock-race: rounds {rounds}").ConfigureAwait(false);
        return 0;
    }
}
