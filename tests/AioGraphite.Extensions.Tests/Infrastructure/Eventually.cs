namespace AioGraphite.Extensions.Tests.Infrastructure;

/// <summary>Polls until a condition holds (carbon and graphite-web show new data with a delay).</summary>
public static class Eventually
{
    public static async Task<T> GetAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T last = await read();
        while (!done(last))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what}: not there after {timeout.TotalSeconds:0.#} s; last seen: {Describe(last)}");
            }

            await Task.Delay(100);
            last = await read();
        }

        return last;
    }

    private static string Describe<T>(T value) => value switch
    {
        System.Collections.IEnumerable items and not string => "[" + string.Join(", ", items.Cast<object?>()) + "]",
        _ => value?.ToString() ?? "null",
    };
}
