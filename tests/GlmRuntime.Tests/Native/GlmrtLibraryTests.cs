using GlmRuntime.Native;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Native;

/// <summary>The library resolver: the order it searches, and an error that names every path tried and why it failed.</summary>
public sealed class GlmrtLibraryTests
{
    [Test]
    public void A_failed_search_lists_every_candidate_with_its_reason()
    {
        using var folder = new TempDirectory();
        string missing = Path.Combine(folder.Path, "nothing-here", "libglmrt.so");
        string bogus = Path.Combine(folder.Path, "libglmrt.so");
        File.WriteAllText(bogus, "this is not a shared library");

        var result = GlmrtLibrary.Load([missing, bogus]);

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Attempts, Has.Count.EqualTo(2));
        Assert.That(result.Attempts[0], Does.StartWith(missing).And.Contain("no such file"));
        Assert.That(result.Attempts[1], Does.StartWith(bogus + ": "));
        Assert.That(result.Attempts[1].Length, Is.GreaterThan(bogus.Length + 10), "the loader's reason is kept");
        string message = result.Describe();
        Assert.That(message, Does.Contain(missing).And.Contain(bogus).And.Contain(GlmrtLibrary.PathVariable).And.Contain("Native"));
    }

    [Test]
    public void A_library_without_the_glmrt_abi_export_is_rejected_with_that_reason()
    {
        string libc = new[] { "/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6" }
            .FirstOrDefault(File.Exists) ?? "";
        if (libc.Length == 0)
            Assert.Ignore("no libc.so.6 at the usual Debian paths to load as a foreign library");

        var result = GlmrtLibrary.Load([libc]);

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Attempts.Single(), Does.Contain("no glmrt_abi_version export"));
    }

    [Test]
    public void The_environment_variable_comes_first_and_the_system_search_last()
    {
        string? saved = Environment.GetEnvironmentVariable(GlmrtLibrary.PathVariable);
        try
        {
            Environment.SetEnvironmentVariable(GlmrtLibrary.PathVariable, "/opt/custom/libglmrt.so");
            var candidates = GlmrtLibrary.Candidates().ToList();
            Assert.That(candidates[0], Is.EqualTo("/opt/custom/libglmrt.so"));
            Assert.That(candidates[^1], Is.Null, "null stands for the system's own search");
            Assert.That(candidates, Has.Some.Contains(Path.Combine("runtimes", GlmrtLibrary.RuntimeIdentifier, "native")));
            Assert.That(candidates.Where(c => c is not null), Is.Unique);
        }
        finally
        {
            Environment.SetEnvironmentVariable(GlmrtLibrary.PathVariable, saved);
        }
    }

    [Test]
    public void A_built_library_loads_and_answers_without_a_device()
    {
        string built = Path.Combine(SharedData.RepositoryRoot, "artifacts", "native", GlmrtLibrary.RuntimeIdentifier, GlmrtLibrary.FileName);
        if (!File.Exists(built))
            Assert.Ignore($"libglmrt has not been built here ({built}); .ci/run builds it with native/build.sh");

        var result = GlmrtLibrary.Load([built]);

        Assert.That(result.Succeeded, Is.True, string.Join("; ", result.Attempts));
        Assert.That(result.Path, Is.EqualTo(built));
    }
}
