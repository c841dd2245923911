using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Cli.Tests.Integration;

/// <summary>
/// The NuGet package as users get it: <c>dotnet pack</c> of the CLI (its build outputs are already there, since this
/// project references it), <c>dotnet tool install</c> from that package only, then the installed <c>aiographite</c>
/// sends a point to a real carbon.
/// </summary>
public sealed class ToolPackageTests(CarbonFixture carbon) : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);

    private readonly string _root = Directory.CreateTempSubdirectory("aiographite-cli-tool-").FullName;

    [Fact]
    public async Task Pack_InstallAsTool_Send_PointIsStoredInCarbon()
    {
        string version = string.Create(CultureInfo.InvariantCulture, $"0.0.1-clitest.{Environment.ProcessId}");
        string packages = Path.Combine(_root, "packages");
        string tools = Path.Combine(_root, "tools");
        string project = Path.Combine(AioGraphite.TestUtilities.RepositoryRoot.Find(), "src", "AioGraphite.Cli", "AioGraphite.Cli.csproj");
        string configuration = typeof(CliApplication).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;

        CliResult pack = await Dotnet(isolatedPackages: false, ["pack", project, "--no-build", "-c", configuration, "-o", packages, $"-p:PackageVersion={version}", "-nodeReuse:false"]);
        Assert.True(pack.ExitCode == 0, pack.ToString());
        CheckPackage(Path.Combine(packages, $"AioGraphite.Cli.{version}.nupkg"), version);

        string config = Path.Combine(_root, "nuget.config");
        await File.WriteAllTextAsync(
            config,
            $"""<?xml version="1.0" encoding="utf-8"?><configuration><packageSources><clear /><add key="local" value="{packages}" /></packageSources></configuration>""",
            TestContext.Current.CancellationToken);
        CliResult install = await Dotnet(isolatedPackages: true, ["tool", "install", "--tool-path", tools, "--configfile", config, "AioGraphite.Cli", "--version", version]);
        Assert.True(install.ExitCode == 0, install.ToString());

        string tool = Path.Combine(tools, "aiographite");
        long timestamp = CarbonFixture.Now() - 15;
        CliResult send = await ProcessRun.RunAsync(tool, ["send", "test.tool.metric", "42", Text(timestamp), "--port", Text(carbon.Server.LinePort)], null, CommandTimeout);
        Assert.True(send.ExitCode == 0, send.ToString());
        Assert.Equal([(timestamp, 42.0)], await carbon.Server.WaitForPointsAsync("test.tool.metric", 1, CarbonFixture.StoreTimeout));

        // The real process behaves as the in-process entry point: one line, exit code 2, no stack trace.
        string closedPort = Text(FreePorts.AllocateTcp());
        CliResult refused = await ProcessRun.RunAsync(tool, ["send", "test.tool.metric", "1", "--port", closedPort], null, CommandTimeout);
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.StartsWith($"aiographite send: Unable to connect to Graphite at 127.0.0.1:{closedPort}", refused.SingleErrorLine(), StringComparison.Ordinal);

        CliResult version2 = await ProcessRun.RunAsync(tool, ["--version"], null, CommandTimeout);
        Assert.StartsWith("0.1.0", version2.Out, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void CheckPackage(string nupkg, string version)
    {
        using ZipArchive zip = ZipFile.OpenRead(nupkg);
        string[] entries = [.. zip.Entries.Select(e => e.FullName)];
        Assert.Contains("README.md", entries);
        Assert.Contains("tools/net10.0/any/DotnetToolSettings.xml", entries);
        Assert.Contains("tools/net10.0/any/AioGraphite.Cli.dll", entries);
        Assert.Contains("tools/net10.0/any/AioGraphite.dll", entries);
        Assert.Contains("tools/net10.0/any/System.CommandLine.dll", entries);
        Assert.Equal(["tools/net10.0/any/DotnetToolSettings.xml"], entries.Where(e => e.StartsWith("tools/", StringComparison.Ordinal) && e.EndsWith(".xml", StringComparison.Ordinal)));

        XDocument settings = XDocument.Load(zip.GetEntry("tools/net10.0/any/DotnetToolSettings.xml")!.Open());
        Assert.Equal("aiographite", settings.Descendants("Command").Single().Attribute("Name")!.Value);

        XDocument nuspec = XDocument.Load(zip.GetEntry("AioGraphite.Cli.nuspec")!.Open());
        XElement metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Field(string name) => metadata.Elements().Single(e => e.Name.LocalName == name).Value;
        XElement Element(string name) => metadata.Elements().Single(e => e.Name.LocalName == name);
        Assert.Equal("AioGraphite.Cli", Field("id"));
        Assert.Equal(version, Field("version"));
        Assert.Equal("MIT", Field("license"));
        Assert.Equal("expression", Element("license").Attribute("type")!.Value);
        Assert.Equal("README.md", Field("readme"));
        Assert.Equal("https://github.com/aiographite/AioGraphite", Element("repository").Attribute("url")!.Value);
        Assert.Equal("git", Element("repository").Attribute("type")!.Value);
        Assert.Equal("DotnetTool", metadata.Descendants().Single(e => e.Name.LocalName == "packageType").Attribute("name")!.Value);
        Assert.NotEmpty(Field("description"));
    }

    private static string Text(int number) => number.ToString(CultureInfo.InvariantCulture);

    private static string Text(long number) => number.ToString(CultureInfo.InvariantCulture);

    /// <summary>Runs the SDK; the tool install gets a packages folder of its own, so it can only use the package just built.</summary>
    private Task<CliResult> Dotnet(bool isolatedPackages, string[] arguments)
    {
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            ["MSBUILDDISABLENODEREUSE"] = "1",
        };
        if (isolatedPackages)
        {
            environment["NUGET_PACKAGES"] = Path.Combine(_root, "nuget-packages");
        }

        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        return ProcessRun.RunAsync(dotnet, arguments, environment, CommandTimeout);
    }
}
