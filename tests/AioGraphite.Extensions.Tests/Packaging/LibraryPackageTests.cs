using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using System.Xml.Linq;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Extensions.Tests.Packaging;

/// <summary>
/// <c>dotnet pack</c> of every library (which runs package validation against <c>eng/package-baselines</c>) gives a
/// package with its README, XML docs, license and repository metadata with the commit, and a symbol package whose PDB
/// belongs to the package's deterministic DLL and maps every source to the repository at that commit (source link) or
/// embeds it.
/// </summary>
public sealed class LibraryPackageTests : IDisposable
{
    // Portable PDB custom debug information kinds (System.Reflection.Metadata documents them, without constants).
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");
    private static readonly Guid EmbeddedSourceKind = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

    private readonly string _output = Directory.CreateTempSubdirectory("aiographite-pack-").FullName;

    public static TheoryData<string> Libraries() => ["AioGraphite", "AioGraphite.Extensions.Hosting", "AioGraphite.OpenTelemetry", "AioGraphite.Query"];

    [Theory]
    [MemberData(nameof(Libraries))]
    public async Task Pack_LibraryPackage_HasReadmeDocsLicenseRepositoryAndSourceLinkedSymbols(string id)
    {
        string root = RepositoryRoot.Find();
        string project = Path.Combine(root, "src", id, id + ".csproj");
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

        string commit = (await GitAsync(root, "rev-parse", "HEAD")).Trim();
        Assert.Equal(commit, Element("repository").Attribute("commit")?.Value);
        Assert.DoesNotContain(entries, e => e.EndsWith(".pdb", StringComparison.Ordinal));

        using ZipArchive symbols = ZipFile.OpenRead(Path.Combine(_output, $"{id}.9.9.9-test.snupkg"));
        Assert.Equal([$"lib/net10.0/{id}.pdb"], symbols.Entries.Select(e => e.FullName).Where(e => e.StartsWith("lib/", StringComparison.Ordinal)));
        using MetadataReaderProvider pdb = MetadataReaderProvider.FromPortablePdbStream(Read(symbols, $"lib/net10.0/{id}.pdb"));
        using var dll = new PEReader(Read(zip, $"lib/net10.0/{id}.dll"));
        CheckDllMatchesPdb(dll, pdb.GetMetadataReader());
        var tracked = new HashSet<string>((await GitAsync(root, "ls-files")).Split('\n', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
        CheckSourceLink(pdb.GetMetadataReader(), id, commit, tracked);
    }

    /// <summary>The DLL names this very PDB (CodeView id) and was built deterministically (a Reproducible entry).</summary>
    private static void CheckDllMatchesPdb(PEReader dll, MetadataReader pdb)
    {
        DebugDirectoryEntry[] debug = [.. dll.ReadDebugDirectory()];
        Assert.Contains(debug, e => e.Type == DebugDirectoryEntryType.Reproducible);
        CodeViewDebugDirectoryData codeView = dll.ReadCodeViewDebugDirectoryData(Assert.Single(debug, e => e.Type == DebugDirectoryEntryType.CodeView));
        byte[] pdbId = [.. pdb.DebugMetadataHeader!.Id];
        Assert.Equal(codeView.Guid, new Guid(pdbId.AsSpan(0, 16)));
    }

    /// <summary>
    /// One source link mapping, from the repository root to its files at <paramref name="commit"/> on the web; every
    /// source document is a file of the repository under it or is embedded in the PDB (generated ones); on CI
    /// (ContinuousIntegrationBuild) paths are normalised to <c>/_/</c>.
    /// </summary>
    private static void CheckSourceLink(MetadataReader pdb, string id, string commit, HashSet<string> tracked)
    {
        BlobHandle json = pdb.GetCustomDebugInformation(EntityHandle.ModuleDefinition)
            .Select(pdb.GetCustomDebugInformation)
            .Single(c => pdb.GetGuid(c.Kind) == SourceLinkKind)
            .Value;
        using JsonDocument sourceLink = JsonDocument.Parse(pdb.GetBlobBytes(json));
        JsonProperty mapping = Assert.Single(sourceLink.RootElement.GetProperty("documents").EnumerateObject());
        Assert.EndsWith("/*", mapping.Name, StringComparison.Ordinal);
        Assert.StartsWith("https://", mapping.Value.GetString(), StringComparison.Ordinal);
        Assert.EndsWith($"/{commit}/*", mapping.Value.GetString(), StringComparison.Ordinal);
        string localRoot = mapping.Name[..^1];
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Equal("/_/", localRoot);
        }

        var linked = new List<string>();
        foreach (DocumentHandle handle in pdb.Documents)
        {
            string path = pdb.GetString(pdb.GetDocument(handle).Name);
            bool embedded = pdb.GetCustomDebugInformation(handle).Any(c => pdb.GetGuid(pdb.GetCustomDebugInformation(c).Kind) == EmbeddedSourceKind);
            bool inRepository = path.StartsWith(localRoot, StringComparison.Ordinal) && tracked.Contains(path[localRoot.Length..]);
            Assert.True(embedded || inRepository, $"{path} is neither a file of the repository under the source link root {localRoot} nor embedded in the PDB");
            if (inRepository)
            {
                linked.Add(path[localRoot.Length..]);
            }
        }

        Assert.Contains(linked, p => p.StartsWith($"src/{id}/", StringComparison.Ordinal) && p.EndsWith(".cs", StringComparison.Ordinal));
    }

    private static MemoryStream Read(ZipArchive zip, string entry)
    {
        var copy = new MemoryStream();
        using (Stream stream = zip.GetEntry(entry)!.Open())
        {
            stream.CopyTo(copy);
        }

        copy.Position = 0;
        return copy;
    }

    private static async Task<string> GitAsync(string root, params string[] arguments)
    {
        ProcessRunner.Result git = await ProcessRunner.RunAsync(
            "git",
            ["-C", root, .. arguments],
            ReadOnlyMemory<byte>.Empty,
            environment: null,
            TimeSpan.FromSeconds(30),
            TestContext.Current.CancellationToken);
        Assert.True(git.ExitCode == 0, git.StandardError);
        return git.StandardOutputText;
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
