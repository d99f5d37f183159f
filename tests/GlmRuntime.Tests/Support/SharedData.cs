namespace GlmRuntime.Tests.Support;

/// <summary>
/// Locates ../shared/testdata relative to the repository root (the folder holding GlmRuntime.sln).
/// Golden data is produced by implementations nobody here wrote; tests only read it.
/// </summary>
internal static class SharedData
{
    private static readonly Lazy<string> RepoRoot = new(FindRepositoryRoot);

    /// <summary>The repository root (contains GlmRuntime.sln).</summary>
    public static string RepositoryRoot => RepoRoot.Value;

    /// <summary>../shared/testdata; throws with a clear message when it is missing.</summary>
    public static string TestDataRoot
    {
        get
        {
            string path = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "testdata"));
            if (!Directory.Exists(path))
                throw new DirectoryNotFoundException(
                    $"Shared test data not found at '{path}'. The tests expect the 'shared' folder beside the repository root ({RepositoryRoot}).");
            return path;
        }
    }

    public static string Models => Path.Combine(TestDataRoot, "models");

    public static string Tokenizers => Path.Combine(TestDataRoot, "tokenizers");

    /// <summary>Path of one file or folder under ../shared/testdata; fails with a clear message when it does not exist.</summary>
    public static string PathOf(params string[] parts)
    {
        string path = Path.Combine([TestDataRoot, .. parts]);
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new FileNotFoundException($"Shared test data '{path}' is missing (expected under ../shared/testdata beside {RepositoryRoot}).", path);
        return path;
    }

    /// <summary>Names of every model folder under ../shared/testdata/models (those with a config.json).</summary>
    public static IEnumerable<string> ModelNames() =>
        Directory.GetDirectories(Models)
            .Where(d => File.Exists(Path.Combine(d, "config.json")))
            .Select(Path.GetFileName)
            .OrderBy(n => n, StringComparer.Ordinal)!;

    private static string FindRepositoryRoot()
    {
        for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "GlmRuntime.sln")))
                return dir;
        }
        throw new InvalidOperationException($"Cannot find the repository root (GlmRuntime.sln) above '{AppContext.BaseDirectory}'.");
    }
}
