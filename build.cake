// Build script: `dotnet tool restore && dotnet cake --target=Test` (targets: Clean, Build, Test, Pack, Bench).
var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var solution = "./GlmRuntime.sln";
var artifacts = Directory("./artifacts");

Task("Clean").Does(() =>
{
    CleanDirectory(artifacts);
    DotNetClean(solution, new DotNetCleanSettings { Configuration = configuration });
});

Task("Build").Does(() =>
{
    DotNetBuild(solution, new DotNetBuildSettings { Configuration = configuration });
});

Task("Test").IsDependentOn("Build").Does(() =>
{
    DotNetTest(solution, new DotNetTestSettings
    {
        Configuration = configuration,
        NoBuild = true,
        ResultsDirectory = artifacts + Directory("test-results"),
        Loggers = new[] { "trx;LogFilePrefix=results" },
    });
});

Task("Pack").IsDependentOn("Build").Does(() =>
{
    var settings = new DotNetPackSettings { Configuration = configuration, NoBuild = true, OutputDirectory = artifacts + Directory("packages") };
    DotNetPack("./src/GlmRuntime/GlmRuntime.csproj", settings);
    DotNetPack("./src/GlmRuntime.Cli/GlmRuntime.Cli.csproj", settings);
});

Task("Bench").Does(() =>
{
    // Pass a BenchmarkDotNet filter with --bench-filter='*Tokenizer*'.
    var filter = Argument("bench-filter", "*");
    DotNetRun("./perf/GlmRuntime.Benchmarks/GlmRuntime.Benchmarks.csproj",
        new ProcessArgumentBuilder().Append("--filter").AppendQuoted(filter),
        new DotNetRunSettings { Configuration = "Release" });
});

RunTarget(target);
