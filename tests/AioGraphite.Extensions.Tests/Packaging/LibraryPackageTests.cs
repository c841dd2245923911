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

    /// <summary>The configuration these tests were built in, which the projects they pack were built in too.</summary>
    private static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static TheoryData<string> Libraries() => ["AioGraphite", "AioGraphite.Extensions.Hosting", "AioGraphite.OpenTelemetry", "AioGraphite.Query"];

    [Theory]
    [MemberData(nameof(Libraries))]
    public async Task Pack_LibraryPackage_HasReadmeDocsLicenseRepositoryAndSourceLinkedSymbols(string id)
    {
        string root = RepositoryRoot.Find();
        string project = Path.Combine(root, "src", id, id + ".csproj");
        ProcessRunner.Result pack = await DotnetAsync(["pack", project, "--no-build", "-c", Configuration, "-o", _output, "-p:PackageVersion=9.9.9-test", "-nodeReuse:false"]);
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

    /// <summary>
    /// The core package carries ReadyToRun images for linux-x64 and linux-arm64 beside its IL, each compiled for its
    /// machine from that same IL (one MVID), and a portable application restored from the package alone loads the image
    /// of its platform (the IL elsewhere): a new client's code starts precompiled instead of in the JIT's tier 0.
    /// </summary>
    [Fact]
    public async Task Pack_Core_CarriesAReadyToRunImage_ThatAPortableApplicationLoads()
    {
        string root = RepositoryRoot.Find();
        string packages = Path.Combine(_output, "packages");
        ProcessRunner.Result pack = await DotnetAsync(["pack", Path.Combine(root, "src", "AioGraphite", "AioGraphite.csproj"), "--no-build", "-c", Configuration, "-o", packages, "-p:PackageVersion=9.9.9-test", "-nodeReuse:false"]);
        Assert.True(pack.ExitCode == 0, pack.StandardOutputText + pack.StandardError);

        using (ZipArchive zip = ZipFile.OpenRead(Path.Combine(packages, "AioGraphite.9.9.9-test.nupkg")))
        {
            (string Rid, Machine Machine)[] images = [("linux-arm64", Machine.Arm64), ("linux-x64", Machine.Amd64)];
            Assert.Equal(images.Select(i => $"runtimes/{i.Rid}/lib/net10.0/AioGraphite.dll"), zip.Entries.Select(e => e.FullName).Where(e => e.StartsWith("runtimes/", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
            using var il = new PEReader(Read(zip, "lib/net10.0/AioGraphite.dll"));
            Assert.False(IsReadyToRun(il));
            foreach ((string rid, Machine machine) in images)
            {
                using var image = new PEReader(Read(zip, $"runtimes/{rid}/lib/net10.0/AioGraphite.dll"));
                Assert.True(IsReadyToRun(image), $"runtimes/{rid}/lib/net10.0/AioGraphite.dll has no ReadyToRun header");
                Assert.Equal((Machine)((ushort)machine ^ LinuxMachineXor), image.PEHeaders.CoffHeader.Machine);
                Assert.Equal(Mvid(il), Mvid(image));
            }
        }

        // A console application referencing the package (its dependencies from the machine's package folder), restored
        // into a package folder of its own so that no earlier 9.9.9-test is reused.
        string app = Directory.CreateDirectory(Path.Combine(_output, "app")).FullName;
        string globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        await File.WriteAllTextAsync(
            Path.Combine(app, "nuget.config"),
            $"""<?xml version="1.0" encoding="utf-8"?><configuration><packageSources><add key="local" value="{packages}" /></packageSources><fallbackPackageFolders><add key="machine" value="{globalPackages}" /></fallbackPackageFolders></configuration>""",
            TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(
            Path.Combine(app, "app.csproj"),
            """<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings></PropertyGroup><ItemGroup><PackageReference Include="AioGraphite" Version="9.9.9-test" /></ItemGroup></Project>""",
            TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(
            Path.Combine(app, "Program.cs"),
            """
            using System.Reflection.PortableExecutable;
            string location = typeof(AioGraphite.GraphiteClient).Assembly.Location;
            using var pe = new PEReader(File.OpenRead(location));
            Console.WriteLine($"{Path.GetRelativePath(AppContext.BaseDirectory, location)} {pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0}");
            """,
            TestContext.Current.CancellationToken);
        ProcessRunner.Result run = await DotnetAsync(["run", "--project", Path.Combine(app, "app.csproj"), "-c", "Release"], ("NUGET_PACKAGES", Path.Combine(_output, "app-packages")));
        Assert.True(run.ExitCode == 0, run.StandardOutputText + run.StandardError);
        string platform = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;
        string expected = platform is "linux-x64" or "linux-arm64" ? $"runtimes/{platform}/lib/net10.0/AioGraphite.dll True" : "AioGraphite.dll False";
        Assert.Equal(expected, run.StandardOutputText.Trim());
    }

    /// <summary>A ReadyToRun image for Linux marks its machine type XOR this (the runtime's <c>IMAGE_FILE_MACHINE_NATIVE_OS_OVERRIDE</c>).</summary>
    private const ushort LinuxMachineXor = 0x7B79;

    private static bool IsReadyToRun(PEReader pe) => pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0;

    private static Guid Mvid(PEReader pe)
    {
        MetadataReader metadata = pe.GetMetadataReader();
        return metadata.GetGuid(metadata.GetModuleDefinition().Mvid);
    }

    private static Task<ProcessRunner.Result> DotnetAsync(string[] arguments, params (string Name, string Value)[] extra)
    {
        var environment = new Dictionary<string, string> { ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0", ["MSBUILDDISABLENODEREUSE"] = "1", ["DOTNET_NOLOGO"] = "1" };
        foreach ((string name, string value) in extra)
        {
            environment[name] = value;
        }

        return ProcessRunner.RunAsync("dotnet", arguments, ReadOnlyMemory<byte>.Empty, environment, TimeSpan.FromMinutes(3), TestContext.Current.CancellationToken);
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
