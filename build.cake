// Build script: `dotnet tool restore && dotnet cake --target=Test` (targets: Clean, Native, Build, Test, Pack, Bench).
var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var solution = "./GlmRuntime.sln";
var artifacts = Directory("./artifacts");

Task("Clean").Does(() =>
{
    CleanDirectory(artifacts);
    DotNetClean(solution, new DotNetCleanSettings { Configuration = configuration });
});

Task("Native").Does(() =>
{
    // libglmrt from native/ (CMake): --gpu=hip (hipcc or clang++ -x hip; GLMRT_HIP_ARCHITECTURES) or --gpu=cuda (nvcc).
    // The result lands in artifacts/native/<rid>/, which the next Build copies beside GlmRuntime and Pack packs.
    var gpu = Argument("gpu", "hip");
    int exit = StartProcess("bash", new ProcessSettings { Arguments = $"native/build.sh {gpu}" });
    if (exit != 0)
        throw new Exception($"native/build.sh {gpu} failed with exit code {exit}");
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
