using AioGraphite.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AioGraphite.Tests.Pipeline;

/// <summary>
/// A <c>FlushAsync</c> or <c>WaitForDeliveryAsync</c> given up through its token leaves nothing behind (issue 15: each
/// one stayed in the sender's list of waiters until the client closed). Carbon is unreachable on a fake clock, so no
/// wait can complete; no sleeps.
/// </summary>
[Collection(RetainedMemoryCollection.Name)]
public sealed class CancelledWaitTests
{
    private const int ManyWaits = 50_000;
    private const int WarmUpWaits = 1_000;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

    public static TheoryData<string> Waits => ["flush", "delivery"];

    [Theory]
    [MemberData(nameof(Waits))]
    public async Task ManyCancelledWaits_WhileCarbonIsUnreachable_RetainNoMemory(string kind)
    {
        var carbon = new MemoryCarbon(_time) { Reachable = false };
        GraphiteClient client = GraphiteClient.Create("memory", 2003, options: new GraphiteClientOptions { TimeProvider = _time, ConnectionFactory = _ => carbon });
        try
        {
            Assert.True(client.TrySend("cancelled.waits", 1, 1_600_000_000)); // something no wait can see written
            await CancelledWaitsAsync(client, kind, WarmUpWaits);
            long before = RetainedMemory.Measure();
            await CancelledWaitsAsync(client, kind, ManyWaits);
            long grown = RetainedMemory.Measure() - before;
            Assert.True(grown < RetainedMemory.MaxGrowthBytes, $"{ManyWaits:N0} cancelled {kind} waits left {grown:N0} bytes on the heap");
        }
        finally
        {
            await client.CloseAsync(TimeSpan.Zero);
        }
    }

    [Theory]
    [MemberData(nameof(Waits))]
    public async Task CancelledWait_IsCancelled_AndALaterWaitStillCompletes(string kind)
    {
        var carbon = new MemoryCarbon(_time) { Reachable = false };
        GraphiteClient client = GraphiteClient.Create("memory", 2003, options: new GraphiteClientOptions { TimeProvider = _time, ConnectionFactory = _ => carbon });
        try
        {
            Assert.True(client.TrySend("cancelled.wait", 1, 1_600_000_000));
            using (var cts = new CancellationTokenSource())
            {
                Task gaveUp = Wait(client, kind, cts.Token);
                cts.Cancel();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gaveUp);
            }

            Task later = Wait(client, kind, TestContext.Current.CancellationToken);
            carbon.Reachable = true;
            await carbon.UntilAsync(() => later.IsCompleted, "the later wait", _time, TimeSpan.FromSeconds(1));
            await later;
            Assert.Equal(["cancelled.wait 1 1600000000"], carbon.AllLines);
        }
        finally
        {
            await client.CloseAsync(TimeSpan.Zero);
        }
    }

    private static Task Wait(GraphiteClient client, string kind, CancellationToken cancellationToken) =>
        kind == "flush" ? client.FlushAsync(cancellationToken) : client.WaitForDeliveryAsync(cancellationToken);

    private static async Task CancelledWaitsAsync(GraphiteClient client, string kind, int count)
    {
        for (int i = 0; i < count; i++)
        {
            using var cts = new CancellationTokenSource();
            Task wait = Wait(client, kind, cts.Token);
            cts.Cancel();
            try
            {
                await wait;
                Assert.Fail("the wait completed although carbon is unreachable");
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
