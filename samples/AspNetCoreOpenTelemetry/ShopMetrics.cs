using System.Diagnostics.Metrics;

namespace AioGraphite.Samples.AspNetCoreOpenTelemetry;

/// <summary>The application's own instruments, created through the host's <see cref="IMeterFactory"/>.</summary>
internal sealed class ShopMetrics
{
    /// <summary>The meter's name, to pass to <c>AddMeter</c>.</summary>
    public const string MeterName = "Shop";

    private readonly Counter<long> _ordersViewed;

    /// <summary>Creates the instruments.</summary>
    /// <param name="meterFactory">The host's meter factory.</param>
    public ShopMetrics(IMeterFactory meterFactory)
    {
        Meter meter = meterFactory.Create(MeterName);
        _ordersViewed = meter.CreateCounter<long>("shop.orders.viewed", unit: "{order}", description: "Orders looked at.");
    }

    /// <summary>Counts one order view.</summary>
    /// <param name="parity">An attribute: <c>even</c> or <c>odd</c>.</param>
    public void OrderViewed(string parity) => _ordersViewed.Add(1, new KeyValuePair<string, object?>("order.parity", parity));
}
