using System.Text.Json;
using System.Text.Json.Serialization;

namespace GlmRuntime.Native.Tuning;

/// <summary>
/// What a tuned launch is looked up by: the device architecture ("sm_90", "gfx942"; target features dropped), the
/// operation ("moe_experts"), the token bucket (the power of two at or above the token count, capped at
/// <see cref="KernelConfigTable.LargestBucket"/>) and the shape ("mxfp4 d6144 i2048 e256 k8").
/// </summary>
internal readonly record struct KernelConfigKey(string Architecture, string Op, int TokenBucket, string Shape)
{
    public override string ToString() => $"{Architecture}/{Op}/{Shape}/tokens≤{TokenBucket}";
}

/// <summary>A grouped MoE launch: glmrt_moe_params' tokens_per_tile, rows_per_warp and warps_per_block.</summary>
internal sealed record MoeKernelConfig(
    [property: JsonPropertyName("tokens_per_tile")] int TokensPerTile,
    [property: JsonPropertyName("rows_per_warp")] int RowsPerWarp,
    [property: JsonPropertyName("warps_per_block")] int WarpsPerBlock)
{
    /// <summary>Every configuration the native kernels accept (moe.cuh), the tuner's search space.</summary>
    public static IReadOnlyList<MoeKernelConfig> Candidates { get; } =
        (from tile in new[] { 1, 4, 8, 16 }
         from rows in new[] { 1, 2, 4 }
         where tile * rows <= 32
         from warps in new[] { 2, 4, 8 }
         select new MoeKernelConfig(tile, rows, warps)).ToArray();

    /// <summary>
    /// The configuration an untuned shape runs with: tiles about as large as an expert's expected share of the
    /// tokens (tokens · k / E), more rows per warp when tiles are small so each activation load feeds more weights.
    /// </summary>
    public static MoeKernelConfig Fallback(int tokens, int expertsPerToken, int expertCount)
    {
        double perExpert = (double)tokens * expertsPerToken / Math.Max(1, expertCount);
        int tile = perExpert <= 1.5 ? 1 : perExpert <= 5 ? 4 : perExpert <= 10 ? 8 : 16;
        return new MoeKernelConfig(tile, tile == 16 ? 2 : tile == 1 ? 4 : 2, 4);
    }
}

/// <summary>One row of the table file.</summary>
internal sealed record KernelConfigEntry(
    [property: JsonPropertyName("arch")] string Architecture,
    [property: JsonPropertyName("op")] string Op,
    [property: JsonPropertyName("shape")] string Shape,
    [property: JsonPropertyName("tokens")] int TokenBucket,
    [property: JsonPropertyName("config")] MoeKernelConfig Config,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("microseconds")] double? Microseconds = null)
{
    public KernelConfigKey Key => new(Architecture, Op, TokenBucket, Shape);
}

/// <summary>
/// Tuned launch parameters by <see cref="KernelConfigKey"/>: the table shipped in the assembly
/// (kernel-configs.json: GLM-5's shapes) overlaid with the user's file (written by <c>glm tune</c>, passed as
/// <see cref="GlmEngineOptions.KernelConfigFile"/> or GLMRT_KERNEL_CONFIGS). A lookup that finds no row does not pass
/// silently: <see cref="UntunedKernels"/> records it.
/// </summary>
internal sealed class KernelConfigTable
{
    /// <summary>Token counts above this share the last bucket.</summary>
    public const int LargestBucket = 512;

    /// <summary>The environment variable naming a table file when the options do not.</summary>
    public const string EnvironmentVariable = "GLMRT_KERNEL_CONFIGS";

    public const string MoeOp = "moe_experts";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private readonly Dictionary<KernelConfigKey, KernelConfigEntry> _entries = [];

    private KernelConfigTable(IEnumerable<KernelConfigEntry> entries)
    {
        foreach (var entry in entries)
            _entries[entry.Key] = entry; // later rows (the user's file) win
    }

    /// <summary>Every row, shipped and user rows merged.</summary>
    public IReadOnlyCollection<KernelConfigEntry> Entries => _entries.Values;

    /// <summary>The shipped table, plus <paramref name="userFile"/> (or the file GLMRT_KERNEL_CONFIGS names) when given.</summary>
    /// <exception cref="FileNotFoundException">The named file does not exist.</exception>
    /// <exception cref="InvalidDataException">A table file is malformed (the message names it).</exception>
    public static KernelConfigTable Load(string? userFile = null)
    {
        var entries = new List<KernelConfigEntry>(Shipped());
        userFile ??= Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
        if (userFile is not null)
        {
            if (!File.Exists(userFile))
                throw new FileNotFoundException($"Kernel config table '{userFile}' does not exist (GlmEngineOptions.KernelConfigFile or {EnvironmentVariable}).", userFile);
            using var stream = File.OpenRead(userFile);
            entries.AddRange(Parse(stream, userFile));
        }
        return new KernelConfigTable(entries);
    }

    /// <summary>The rows of one table file only (no shipped rows).</summary>
    /// <exception cref="InvalidDataException">The file is malformed.</exception>
    public static IReadOnlyList<KernelConfigEntry> LoadFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Parse(stream, path);
    }

    /// <summary>A table of exactly <paramref name="entries"/> (tests, the tuner).</summary>
    public static KernelConfigTable Of(IEnumerable<KernelConfigEntry> entries) => new(entries);

    public static int Bucket(int tokens)
    {
        int bucket = 1;
        while (bucket < tokens && bucket < LargestBucket)
            bucket *= 2;
        return bucket;
    }

    /// <summary>"gfx942:sramecc+:xnack-" → "gfx942"; other names unchanged.</summary>
    public static string NormalizeArchitecture(string architecture) => architecture.Split(':')[0].Trim();

    public static string MoeShape(GlmrtDType dtype, int hidden, int intermediate, int experts, int expertsPerToken) =>
        $"{DTypeName(dtype)} d{hidden} i{intermediate} e{experts} k{expertsPerToken}";

    public static string DTypeName(GlmrtDType dtype) => dtype switch
    {
        GlmrtDType.Mxfp4 => "mxfp4",
        GlmrtDType.Fp8Block => "fp8",
        GlmrtDType.BF16 => "bf16",
        GlmrtDType.F16 => "f16",
        _ => "f32",
    };

    public bool TryGet(KernelConfigKey key, out KernelConfigEntry entry) => _entries.TryGetValue(key, out entry!);

    /// <summary>The MoE launch for <paramref name="tokens"/> tokens; a miss is reported and falls back loudly.</summary>
    public MoeKernelConfig Moe(string architecture, string shape, int tokens, int expertsPerToken, int expertCount)
    {
        var config = FindMoe(architecture, shape, tokens, expertsPerToken, expertCount, out var row, out var key);
        if (row is null)
            UntunedKernels.Report(key, config);
        return config;
    }

    /// <summary>
    /// The MoE launch for <paramref name="tokens"/> tokens and the row it came from (null: the untuned fallback),
    /// without reporting a miss (benchmarks, which say in their output which configuration ran).
    /// </summary>
    public MoeKernelConfig FindMoe(string architecture, string shape, int tokens, int expertsPerToken, int expertCount,
        out KernelConfigEntry? row, out KernelConfigKey key)
    {
        key = new KernelConfigKey(NormalizeArchitecture(architecture), MoeOp, Bucket(tokens), shape);
        row = TryGet(key, out var entry) ? entry : null;
        return row?.Config ?? MoeKernelConfig.Fallback(tokens, expertsPerToken, expertCount);
    }

    /// <summary>Writes <paramref name="entries"/> as a table file (what <c>glm tune</c> produces).</summary>
    public static void Save(string path, IEnumerable<KernelConfigEntry> entries)
    {
        var file = new TableFile(1, entries.OrderBy(e => e.Architecture).ThenBy(e => e.Op).ThenBy(e => e.Shape).ThenBy(e => e.TokenBucket).ToList());
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
            Directory.CreateDirectory(folder);
        File.WriteAllText(path, JsonSerializer.Serialize(file, Json));
    }

    private static IEnumerable<KernelConfigEntry> Shipped()
    {
        using var stream = typeof(KernelConfigTable).Assembly.GetManifestResourceStream("GlmRuntime.kernel-configs.json")
            ?? throw new InvalidOperationException("The shipped kernel config table (kernel-configs.json) is missing from the assembly.");
        return Parse(stream, "kernel-configs.json (shipped)");
    }

    private static List<KernelConfigEntry> Parse(Stream stream, string name)
    {
        TableFile? file;
        try
        {
            file = JsonSerializer.Deserialize<TableFile>(stream);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Kernel config table '{name}' is not valid JSON: {e.Message}", e);
        }
        if (file?.Entries is null || file.Version != 1)
            throw new InvalidDataException($"Kernel config table '{name}' must be {{\"version\": 1, \"entries\": [...]}}.");
        for (int i = 0; i < file.Entries.Count; i++)
        {
            var e = file.Entries[i];
            if (string.IsNullOrWhiteSpace(e.Architecture) || string.IsNullOrWhiteSpace(e.Op) || string.IsNullOrWhiteSpace(e.Shape) || e.Config is null)
                throw new InvalidDataException($"Kernel config table '{name}': entry {i} lacks arch, op, shape or config.");
            if (e.TokenBucket != Bucket(e.TokenBucket))
                throw new InvalidDataException($"Kernel config table '{name}': entry {i} has tokens {e.TokenBucket}; buckets are powers of two up to {LargestBucket}.");
            if (!MoeKernelConfig.Candidates.Any(c => c.TokensPerTile == e.Config.TokensPerTile && c.RowsPerWarp == e.Config.RowsPerWarp)
                || e.Config.WarpsPerBlock is < 1 or > 16)
                throw new InvalidDataException($"Kernel config table '{name}': entry {i} ({e.Key}) has a configuration the kernels do not accept: {e.Config}.");
        }
        return file.Entries;
    }

    private sealed record TableFile(
        [property: JsonPropertyName("version")] int Version,
        [property: JsonPropertyName("entries")] List<KernelConfigEntry> Entries);
}
