using GlmRuntime.Checkpoints;
using GlmRuntime.Configuration;

namespace GlmRuntime.Tests.Support;

/// <summary>
/// Tiny checkpoints whose MTP layer drafts exactly what the target produces (<see cref="TinyCheckpointOptions.PerfectDraft"/>):
/// the tiny test config, or the demo model's config with its tokenizer for tests that need text.
/// </summary>
internal static class PerfectDraftModel
{
    /// <summary>The tiny test config (vocab 256, no tokenizer).</summary>
    public static TempDirectory Create()
    {
        var temp = new TempDirectory();
        TinyCheckpointWriter.Write(temp.Path, TinyCheckpointWriter.TinyConfig(), new TinyCheckpointOptions { Seed = 3, PerfectDraft = true });
        return temp;
    }

    /// <summary>The demo model's config and tokenizer with perfect-draft weights.</summary>
    public static TempDirectory CreateWithTokenizer()
    {
        var temp = new TempDirectory();
        string demo = DemoModel.EnsureCreated(temp.File("demo"));
        foreach (string file in new[] { "tokenizer.json", "tokenizer_config.json" })
            File.Copy(Path.Combine(demo, file), temp.File(file));
        var config = GlmConfigParser.Parse(File.ReadAllText(Path.Combine(demo, "config.json")), "config.json");
        Directory.Delete(demo, recursive: true);
        TinyCheckpointWriter.Write(temp.Path, config, new TinyCheckpointOptions { Seed = 3, PerfectDraft = true });
        return temp;
    }
}
