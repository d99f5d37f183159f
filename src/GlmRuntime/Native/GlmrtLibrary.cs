using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GlmRuntime.Native;

/// <summary>
/// Finds and loads libglmrt: the assembly's one <see cref="NativeLibrary.SetDllImportResolver"/>. It tries, in order,
/// the <c>GLMRT_LIBRARY_PATH</c> environment variable (a file or a folder), <c>runtimes/&lt;rid&gt;/native/</c> and the
/// folder beside the application and beside this assembly (where NuGet puts it), then the system's own search
/// (LD_LIBRARY_PATH, PATH, ...). When nothing loads, the error lists every path tried and why it failed.
/// </summary>
internal static class GlmrtLibrary
{
    /// <summary>Environment variable naming the library file or its folder.</summary>
    public const string PathVariable = "GLMRT_LIBRARY_PATH";

    private static readonly Lazy<LoadResult> Loaded = new(() => Load(Candidates()), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The outcome of one search: the handle, or the reason per candidate.</summary>
    internal sealed record LoadResult(nint Handle, string? Path, IReadOnlyList<string> Attempts)
    {
        public bool Succeeded => Handle != 0;

        public string Describe() =>
            $"The GPU library '{FileName}' could not be loaded. Tried:{Environment.NewLine}  " +
            string.Join(Environment.NewLine + "  ", Attempts) + Environment.NewLine +
            $"Build it with `dotnet cake --target=Native` (or cmake -S native -B native/build), or set {PathVariable} to the built file.";
    }

#pragma warning disable CA2255 // the resolver must be registered before the first P/Invoke of this assembly
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => NativeLibrary.SetDllImportResolver(typeof(GlmrtLibrary).Assembly, Resolve);

    /// <summary>libglmrt.so, glmrt.dll or libglmrt.dylib.</summary>
    public static string FileName =>
        OperatingSystem.IsWindows() ? "glmrt.dll" : OperatingSystem.IsMacOS() ? "libglmrt.dylib" : "libglmrt.so";

    /// <summary>This process's portable runtime identifier (linux-x64, win-x64, osx-arm64, ...).</summary>
    public static string RuntimeIdentifier
    {
        get
        {
            string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
            string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
            return $"{os}-{arch}";
        }
    }

    /// <summary>The current search's result (the search runs once per process).</summary>
    public static LoadResult Current => Loaded.Value;

    /// <summary>Throws <see cref="DllNotFoundException"/> with every path tried when the library cannot be loaded, or
    /// when its ABI differs from this assembly's.</summary>
    public static void EnsureLoaded()
    {
        var result = Loaded.Value;
        if (!result.Succeeded)
            throw new DllNotFoundException(result.Describe());
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Glmrt.Library)
            return 0;
        var result = Loaded.Value;
        return result.Succeeded ? result.Handle : throw new DllNotFoundException(result.Describe());
    }

    /// <summary>Where to look, in order; a null path means "the system's own search for the bare name".</summary>
    internal static IEnumerable<string?> Candidates()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
            yield return Directory.Exists(fromEnvironment) ? Path.Combine(fromEnvironment, FileName) : fromEnvironment;
        var folders = new List<string> { Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory) };
        string? assemblyFolder = Path.GetDirectoryName(typeof(GlmrtLibrary).Assembly.Location);
        if (!string.IsNullOrEmpty(assemblyFolder) && !folders.Contains(Path.TrimEndingDirectorySeparator(assemblyFolder)))
            folders.Add(Path.TrimEndingDirectorySeparator(assemblyFolder));
        foreach (string folder in folders)
        {
            yield return Path.Combine(folder, "runtimes", RuntimeIdentifier, "native", FileName);
            yield return Path.Combine(folder, FileName);
        }
        yield return null;
    }

    /// <summary>Tries each candidate and keeps the first that loads and speaks this ABI.</summary>
    internal static LoadResult Load(IEnumerable<string?> candidates)
    {
        var attempts = new List<string>();
        foreach (string? candidate in candidates)
        {
            if (candidate is null)
            {
                if (NativeLibrary.TryLoad(Glmrt.Library, typeof(GlmrtLibrary).Assembly, DllImportSearchPath.SafeDirectories, out nint found))
                {
                    if (CheckAbi(found, "system search", attempts))
                        return new LoadResult(found, $"{Glmrt.Library} (system search)", attempts);
                    continue;
                }
                attempts.Add($"system search for '{Glmrt.Library}' (LD_LIBRARY_PATH, PATH, default folders): not found");
                continue;
            }
            if (!File.Exists(candidate))
            {
                attempts.Add($"{candidate}: no such file");
                continue;
            }
            try
            {
                nint handle = NativeLibrary.Load(candidate);
                if (CheckAbi(handle, candidate, attempts))
                    return new LoadResult(handle, candidate, attempts);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                // The loader's message carries the reason (a missing dependency such as libamdhip64.so.5, a bad ELF).
                attempts.Add($"{candidate}: {e.Message.ReplaceLineEndings(" ")}");
            }
        }
        return new LoadResult(0, null, attempts);
    }

    private static unsafe bool CheckAbi(nint handle, string where, List<string> attempts)
    {
        if (!NativeLibrary.TryGetExport(handle, "glmrt_abi_version", out nint export))
        {
            attempts.Add($"{where}: loaded, but it has no glmrt_abi_version export (not libglmrt)");
            NativeLibrary.Free(handle);
            return false;
        }
        int abi = ((delegate* unmanaged<int>)export)();
        if (abi != Glmrt.AbiVersion)
        {
            attempts.Add($"{where}: ABI version {abi}, but this GlmRuntime needs {Glmrt.AbiVersion}");
            NativeLibrary.Free(handle);
            return false;
        }
        return true;
    }
}
