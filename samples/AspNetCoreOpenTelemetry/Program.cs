// A minimal API whose OpenTelemetry metrics (ASP.NET Core's http.server.request.duration and a meter of its
// own) are exported to carbon every ExportInterval. Settings: the "Graphite" section of appsettings.json.
//   dotnet run, then: curl http://localhost:5000/hello ; curl http://localhost:5000/orders/42
// In graphite-web: shop.http.server.request.duration.*.*.*.*.http_route._hello.*.*.*.*.count
using AioGraphite.OpenTelemetry;
using AioGraphite.Samples.AspNetCoreOpenTelemetry;
using OpenTelemetry.Metrics;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);

// The exporter's options come from configuration ("Graphite": Host, Port, ExportInterval, NameMapper:Prefix, ...).
builder.Services.AddOptions<GraphiteExporterOptions>().BindConfiguration("Graphite");
builder.Services.AddSingleton<ShopMetrics>();
builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
    .AddAspNetCoreInstrumentation()
    .AddMeter(ShopMetrics.MeterName)
    .AddGraphiteExporter());

WebApplication app = builder.Build();
app.MapGet("/hello", () => "Hello from AioGraphite!");
app.MapGet("/orders/{id:int}", (int id, ShopMetrics shop) =>
{
    shop.OrderViewed(id % 2 == 0 ? "even" : "odd");
    return Results.Ok(new { id });
});
await app.RunAsync();
