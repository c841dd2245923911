using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
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
        string project = Path.Combine(RepositoryRoot(), "src", id, id + ".csproj");
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        (int exit, string output) = await RunAsync("dotnet", ["pack", project, "--no-build", "-c", configuration, "-o", _output, "-p:PackageVersion=9.9.9-test", "-nodeReuse:false"]);
        Assert.True(exit == 0, output);

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

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AioGraphite.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"AioGraphite.slnx not found above {AppContext.BaseDirectory}");
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
