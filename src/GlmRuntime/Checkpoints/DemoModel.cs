using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GlmRuntime.Configuration;

namespace GlmRuntime.Checkpoints;

/// <summary>
/// A tiny GLM-5 checkpoint with <b>random weights</b> that still has everything a chat needs: the GLM-5
/// architecture at toy size (MODEL.md §6, with a ~1k vocabulary), a byte-level BPE tokenizer.json learned from a
/// small built-in English text, the GLM-5 special tokens, a GLM-5 chat template and GLM-5's eos convention
/// (<c>&lt;|endoftext|&gt;</c>, <c>&lt;|user|&gt;</c>, <c>&lt;|observation|&gt;</c>). It lets the console chat and
/// the examples run end to end without downloading a model; its answers are gibberish.
/// </summary>
/// <remarks>
/// The files are deterministic: creating the model twice gives identical bytes. config.json and
/// generation_config.json carry <c>"glmruntime_demo": "random weights"</c> so tools can warn (see
/// <see cref="IsDemoModel"/>), and a README.md in the folder says the same to people.
/// </remarks>
public static class DemoModel
{
    /// <summary>Key of the marker that config.json and generation_config.json of a demo model carry.</summary>
    public const string MarkerKey = "glmruntime_demo";

    /// <summary>Value of <see cref="MarkerKey"/>.</summary>
    public const string MarkerValue = "random weights";

    // Bump when anything that changes the files changes (corpus, merges, config, seed, template), so that a
    // cached demo model from an older version is rebuilt instead of reused.
    private const string VersionKey = "glmruntime_demo_version";
    private const int FormatVersion = 1;

    // 256 byte tokens + 736 merges + 32 special tokens = 1,024 ids when the corpus yields every merge.
    private const int MergeCount = 736;
    private const ulong WeightSeed = 5;
    private const int MaxPositions = 4096;
    private static readonly TimeSpan StaleStagingAge = TimeSpan.FromHours(1);

    private static readonly string[] FileNames =
        ["config.json", "generation_config.json", Checkpoint.SingleFileName, "tokenizer.json", "tokenizer_config.json", "README.md"];

    /// <summary>
    /// The per-user cache folder where the samples and tools keep the demo model (not the current folder: it is made
    /// once and reused by every run).
    /// </summary>
    public static string DefaultDirectory()
    {
        string root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create);
        return Path.Combine(string.IsNullOrEmpty(root) ? Path.GetTempPath() : root, "GlmRuntime", "demo-model");
    }

    /// <summary>
    /// Returns <paramref name="directory"/> (as a full path) holding the demo model, creating it first when it is
    /// missing, incomplete or from an older version. The files are written to a staging folder beside it and
    /// moved into place at the end, so an interrupted run never leaves a half-written model behind; two processes
    /// racing to create it both end up with the same complete folder.
    /// </summary>
    /// <param name="directory">The model folder, e.g. under a cache folder.</param>
    /// <param name="cancellationToken">Stops the creation (the staging folder is removed).</param>
    /// <returns>The full path of the model folder.</returns>
    /// <exception cref="IOException">
    /// <paramref name="directory"/> exists, is not empty and is not a demo model (it is never overwritten), or the
    /// files cannot be written.
    /// </exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static string EnsureCreated(string directory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        if (IsComplete(target))
            return target;
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any() && !IsDemoModel(target))
            throw new IOException($"'{target}' exists and is not a GlmRuntime demo model; choose another folder (it is not overwritten).");

        string parent = Path.GetDirectoryName(target) ?? throw new IOException($"'{target}' has no parent folder.");
        Directory.CreateDirectory(parent);
        string stagingPrefix = $".{Path.GetFileName(target)}.partial-";
        RemoveStaleStaging(parent, stagingPrefix);
        string staging = Path.Combine(parent, stagingPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            Write(staging, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            if (Directory.Exists(target))
            {
                if (IsComplete(target))
                    return target; // another process finished first; its files are identical
                Directory.Delete(target, recursive: true);
            }
            try
            {
                Directory.Move(staging, target);
            }
            catch (IOException) when (IsComplete(target))
            {
                // Lost a race between the delete and the move: the winner's folder is the same model.
            }
        }
        finally
        {
            if (Directory.Exists(staging))
                Directory.Delete(staging, recursive: true);
        }
        return target;
    }

    /// <summary>True when <paramref name="directory"/>'s config.json carries the demo marker (random weights).</summary>
    /// <param name="directory">A model folder.</param>
    public static bool IsDemoModel(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        return ReadMarker(directory).Marker == MarkerValue;
    }

    private static bool IsComplete(string directory) =>
        FileNames.All(name => File.Exists(Path.Combine(directory, name)))
        && ReadMarker(directory) is (MarkerValue, FormatVersion);

    private static (string? Marker, int? Version) ReadMarker(string directory)
    {
        string config = Path.Combine(directory, "config.json");
        try
        {
            if (!File.Exists(config))
                return (null, null);
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(config));
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return (null, null);
            string? marker = root.TryGetProperty(MarkerKey, out JsonElement m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            int? version = root.TryGetProperty(VersionKey, out JsonElement v) && v.TryGetInt32(out int n) ? n : null;
            return (marker, version);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return (null, null);
        }
    }

    private static void Write(string directory, CancellationToken cancellationToken)
    {
        var tokenizer = new DemoTokenizerWriter(MergeCount);
        cancellationToken.ThrowIfCancellationRequested();
        int endOfText = tokenizer.IdOf("<|endoftext|>");
        GlmConfig config = TinyCheckpointWriter.TinyConfig() with
        {
            VocabSize = tokenizer.VocabSize,
            EosTokenIds = [endOfText, tokenizer.IdOf("<|user|>"), tokenizer.IdOf("<|observation|>")],
            PadTokenId = endOfText,
            MaxPositionEmbeddings = MaxPositions,
        };
        TinyCheckpointWriter.Write(directory, config, new TinyCheckpointOptions { Seed = WeightSeed });
        cancellationToken.ThrowIfCancellationRequested();

        AddMarker(Path.Combine(directory, "config.json"));
        WriteGenerationConfig(Path.Combine(directory, "generation_config.json"), config);
        tokenizer.WriteTokenizerJson(Path.Combine(directory, "tokenizer.json"));
        tokenizer.WriteTokenizerConfig(Path.Combine(directory, "tokenizer_config.json"), MaxPositions, WriteMarker);
        File.WriteAllText(Path.Combine(directory, "README.md"), Readme(config), new UTF8Encoding(false));
    }

    private static void WriteMarker(Utf8JsonWriter w)
    {
        w.WriteString(MarkerKey, MarkerValue);
        w.WriteNumber(VersionKey, FormatVersion);
    }

    private static void AddMarker(string configPath)
    {
        var config = JsonNode.Parse(File.ReadAllBytes(configPath))!.AsObject();
        config[MarkerKey] = MarkerValue;
        config[VersionKey] = FormatVersion;
        File.WriteAllText(configPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), new UTF8Encoding(false));
    }

    // GLM-5's generation_config.json: sampling on, temperature 1.0, top_p 0.95, the three eos ids.
    private static void WriteGenerationConfig(string path, GlmConfig config)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteBoolean("do_sample", true);
        w.WriteNumber("temperature", 1.0);
        w.WriteNumber("top_p", 0.95);
        w.WriteStartArray("eos_token_id");
        foreach (int id in config.EosTokenIds)
            w.WriteNumberValue(id);
        w.WriteEndArray();
        w.WriteNumber("pad_token_id", config.PadTokenId ?? 0);
        WriteMarker(w);
        w.WriteEndObject();
    }

    private static string Readme(GlmConfig config) => $"""
        # GlmRuntime demo model (RANDOM WEIGHTS)

        This folder was generated by `GlmRuntime.Checkpoints.DemoModel.EnsureCreated`. It is a tiny model of the
        GLM-5 architecture (`GlmMoeDsaForCausalLM`: {config.NumHiddenLayers} layers + MTP, hidden size {config.HiddenSize},
        vocabulary {config.VocabSize}) whose weights are **random**: it was never trained, so everything it
        generates is gibberish. It exists so that the console chat and the examples run end to end without
        downloading a real checkpoint.

        The tokenizer is a real byte-level BPE tokenizer (merges learned from a small English text) with the GLM-5
        special tokens, and tokenizer_config.json carries a GLM-5 chat template. config.json and
        generation_config.json carry `"{MarkerKey}": "{MarkerValue}"`.

        Delete the folder to have it generated again.

        """;

    private static void RemoveStaleStaging(string parent, string prefix)
    {
        foreach (string leftover in Directory.EnumerateDirectories(parent, prefix + "*"))
        {
            try
            {
                if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(leftover) > StaleStagingAge)
                    Directory.Delete(leftover, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Someone else's cleanup got there first, or it is still in use: leave it.
            }
        }
    }
}
