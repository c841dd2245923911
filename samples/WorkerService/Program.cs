// A generic-host worker that sends one metric per second to carbon.
// Settings: the "Graphite" section of appsettings.json (or environment variables such as Graphite__Host).
// Run a carbon first (or not: the worker starts anyway and delivers once carbon is up), then: dotnet run
using AioGraphite.Extensions.Hosting;
using AioGraphite.Samples.WorkerService;

HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
builder.Services.AddGraphite(builder.Configuration.GetSection(GraphiteOptions.DefaultSectionName));
builder.Services.AddHostedService<HeartbeatWorker>();

using IHost host = builder.Build();
await host.RunAsync();
