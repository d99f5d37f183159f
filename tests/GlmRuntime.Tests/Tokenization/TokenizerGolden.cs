using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using GlmRuntime.Tests.Support;
using GlmRuntime.Tokenization;

namespace GlmRuntime.Tests.Tokenization;

/// <summary>Reads the golden.jsonl files under ../shared/testdata/tokenizers and caches one tokenizer per folder.</summary>
internal static class TokenizerGolden
{
    /// <summary>The folders with golden data.</summary>
    public static readonly string[] Folders = ["deepseek-v3", "glm-style"];

    private static readonly ConcurrentDictionary<string, Lazy<GlmTokenizer>> Tokenizers = new();
    private static readonly ConcurrentDictionary<string, Lazy<GoldenLine[]>> Lines = new();

    /// <summary>The tokenizer of a folder, loaded once.</summary>
    public static GlmTokenizer Tokenizer(string folder) =>
        Tokenizers.GetOrAdd(folder, f => new Lazy<GlmTokenizer>(() => GlmTokenizer.FromFile(SharedData.PathOf("tokenizers", f)))).Value;

    /// <summary>All lines of a folder's golden.jsonl.</summary>
    public static GoldenLine[] LinesOf(string folder) =>
        Lines.GetOrAdd(folder, f => new Lazy<GoldenLine[]>(() => Read(SharedData.PathOf("tokenizers", f, "golden.jsonl")))).Value;

    /// <summary>One NUnit case per golden line, named folder:line.</summary>
    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (string folder in Folders)
        {
            foreach (GoldenLine line in LinesOf(folder))
                yield return new TestCaseData(folder, line.LineNumber).SetName($"{folder}:{line.LineNumber}");
        }
    }

    /// <summary>A readable description of where two id arrays differ.</summary>
    public static string DiffIds(GlmTokenizer tokenizer, IReadOnlyList<int> expected, IReadOnlyList<int> actual)
    {
        int first = 0;
        while (first < expected.Count && first < actual.Count && expected[first] == actual[first])
            first++;
        int from = Math.Max(0, first - 3);
        var text = new StringBuilder();
        text.Append($"first difference at index {first} (expected {expected.Count} ids, got {actual.Count})\n");
        text.Append("  expected: ").Append(Window(tokenizer, expected, from)).Append('\n');
        text.Append("  actual:   ").Append(Window(tokenizer, actual, from));
        return text.ToString();
    }

    private static string Window(GlmTokenizer tokenizer, IReadOnlyList<int> ids, int from) =>
        string.Join(' ', ids.Skip(from).Take(12).Select(id => $"{id}:{JsonSerializer.Serialize(tokenizer.IdToToken(id))}"));

    private static GoldenLine[] Read(string path)
    {
        var lines = new List<GoldenLine>();
        int number = 0;
        foreach (string raw in File.ReadLines(path))
        {
            number++;
            if (raw.Length == 0)
                continue;
            using JsonDocument document = JsonDocument.Parse(raw);
            JsonElement root = document.RootElement;
            lines.Add(new GoldenLine(
                number,
                root.GetProperty("text").GetString()!,
                root.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                root.GetProperty("ids_with_special").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                root.GetProperty("decoded").GetString()!,
                root.GetProperty("decoded_skip_special").GetString()!));
        }
        return lines.ToArray();
    }
}

/// <summary>One line of a golden.jsonl file.</summary>
internal sealed record GoldenLine(int LineNumber, string Text, int[] Ids, int[] IdsWithSpecial, string Decoded, string DecodedSkipSpecial);
