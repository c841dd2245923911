// A minimal API whose OpenTelemetry metrics (ASP.NET Core's http.server.request.duration and a meter of its
// own) are exported to carbon every ExportInterval, with carbon's state at /health. Settings: the "Graphite" section
// of appsettings.json.
//   dotnet run, then: curl http://localhost:5000/hello ; curl http://localhost:5000/orders/42 ; curl http://localhost:5000/health
// In graphite-web: shop.http.server.request.duration.*.*.*.*.http_route._hello.*.*.*.*.count
using AioGraphite;
using AioGraphite.Extensions.Hosting;
using AioGraphite.OpenTelemetry;
using AioGraphite.Samples.AspNetCoreOpenTelemetry;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);

// One GraphiteClient for the application ("Graphite": Host, Port, Protocol, ...; validated at start-up), which the
// exporter writes through ("Graphite": ExportInterval, NameMapper:Prefix, ...) and the health check watches.
builder.Services.AddGraphite(builder.Configuration.GetSection("Graphite"));
builder.Services.AddOptions<GraphiteExporterOptions>().BindConfiguration("Graphite")
    .Configure<GraphiteClient>((exporter, client) => exporter.Client = client);
builder.Services.AddSingleton<ShopMetrics>();
builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
    .AddAspNetCoreInstrumentation()
    .AddMeter(ShopMetrics.MeterName)
    .AddGraphiteExporter());

// carbon's state as a health check, its thresholds from "Graphite:Health".
builder.Services.AddOptions<GraphiteHealthCheckOptions>(GraphiteHealthChecksBuilderExtensions.DefaultName).BindConfiguration("Graphite:Health");
builder.Services.AddHealthChecks().AddGraphite();

WebApplication app = builder.Build();
app.MapGet("/hello", () => "Hello from AioGraphite!");
app.MapGet("/orders/{id:int}", (int id, ShopMetrics shop) =>
{
    shop.OrderViewed(id % 2 == 0 ? "even" : "odd");
    return Results.Ok(new { id });
});

// 200 with "Healthy" or "Degraded", 503 with "Unhealthy"; the body has the check's description and figures.
app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthResponse.WriteAsync });

// On SIGTERM the host stops, then disposes the meter provider (its final export writes the last interval's metrics
// through the shared client) before it closes the client, which delivers them within Graphite:DrainTimeout.
await app.RunAsync();
