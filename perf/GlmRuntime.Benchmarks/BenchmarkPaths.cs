namespace GlmRuntime.Benchmarks;

/// <summary>Locates ../shared/testdata from the repository root (the folder holding GlmRuntime.sln).</summary>
internal static class BenchmarkPaths
{
    public static string RepositoryRoot
    {
        get
        {
            for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
            {
                if (File.Exists(Path.Combine(dir, "GlmRuntime.sln")))
                    return dir;
            }
            throw new InvalidOperationException($"Cannot find GlmRuntime.sln above '{AppContext.BaseDirectory}'.");
        }
    }

    public static string TestData
    {
        get
        {
            string path = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "testdata"));
            return Directory.Exists(path) ? path : throw new DirectoryNotFoundException($"Shared test data not found at '{path}'.");
        }
    }

    public static string Models => Path.Combine(TestData, "models");

    public static string Tokenizers => Path.Combine(TestData, "tokenizers");

    /// <summary>The built-in demo model (4,096-token context, ~1k vocabulary), created in the temp folder on first use.</summary>
    public static string DemoModel =>
        GlmRuntime.Checkpoints.DemoModel.EnsureCreated(Path.Combine(Path.GetTempPath(), "glmrt-bench-demo"));
}
