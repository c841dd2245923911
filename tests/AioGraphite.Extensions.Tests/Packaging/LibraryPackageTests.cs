using System.IO.Compression;
using System.Xml.Linq;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Extensions.Tests.Packaging;

/// <summary><c>dotnet pack</c> of every library gives a package with its README, XML docs, license and repository metadata.</summary>
public sealed class LibraryPackageTests : IDisposable
{
    private readonly string _output = Directory.CreateTempSubdirectory("aiographite-pack-").FullName;

    public static TheoryData<string> Libraries() => ["AioGraphite", "AioGraphite.Extensions.Hosting", "AioGraphite.OpenTelemetry", "AioGraphite.Query"];

    [Theory]
    [MemberData(nameof(Libraries))]
    public async Task Pack_LibraryPackage_HasReadmeDocsLicenseAndRepository(string id)
    {
        string project = Path.Combine(RepositoryRoot.Find(), "src", id, id + ".csproj");
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var environment = new Dictionary<string, string> { ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0", ["MSBUILDDISABLENODEREUSE"] = "1", ["DOTNET_NOLOGO"] = "1" };
        ProcessRunner.Result pack = await ProcessRunner.RunAsync(
            "dotnet",
            ["pack", project, "--no-build", "-c", configuration, "-o", _output, "-p:PackageVersion=9.9.9-test", "-nodeReuse:false"],
            ReadOnlyMemory<byte>.Empty,
            environment,
            TimeSpan.FromMinutes(3),
            TestContext.Current.CancellationToken);
        Assert.True(pack.ExitCode == 0, pack.StandardOutputText + pack.StandardError);

        using ZipArchive zip = ZipFile.OpenRead(Path.Combine(_output, $"{id}.9.9.9-test.nupkg"));
        string[] entries = [.. zip.Entries.Select(e => e.FullName)];
        Assert.Contains("README.md", entries);
        Assert.Contains($"lib/net10.0/{id}.dll", entries);
        Assert.Contains($"lib/net10.0/{id}.xml", entries);
        using (var readme = new StreamReader(zip.GetEntry("README.md")!.Open()))
        {
            Assert.StartsWith("# ", await readme.ReadToEndAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        XElement metadata = XDocument.Load(zip.GetEntry($"{id}.nuspec")!.Open()).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        XElement Element(string name) => metadata.Elements().Single(e => e.Name.LocalName == name);
        Assert.Equal("MIT", Element("license").Value);
        Assert.Equal("expression", Element("license").Attribute("type")!.Value);
        Assert.Equal("README.md", Element("readme").Value);
        Assert.Equal("https://github.com/aiographite/AioGraphite", Element("repository").Attribute("url")!.Value);
        Assert.NotEmpty(Element("description").Value);
        Assert.NotEmpty(Element("tags").Value);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_output, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
