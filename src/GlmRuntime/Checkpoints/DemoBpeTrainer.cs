using System.Text;
using System.Text.RegularExpressions;
using GlmRuntime.Tokenization.Text;

namespace GlmRuntime.Checkpoints;

/// <summary>
/// Learns byte-level BPE merges from a text, the classic way: split the text into pieces with the GLM-5
/// pre-tokenizer regex, map each piece's UTF-8 bytes to the GPT-2 byte alphabet, then repeatedly merge the most
/// frequent adjacent pair. Ties go to the ordinally smallest pair, and no hash-order iteration reaches the output,
/// so the same text always gives the same merges. Once the repeated pairs run out, pairs seen once
/// are merged too (whole corpus words become tokens), which keeps the vocabulary size fixed.
/// </summary>
internal static class DemoBpeTrainer
{
    /// <summary>The GLM-5 split regex (MODEL.md §5.1), as the demo tokenizer.json declares it.</summary>
    public const string SplitPattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Learns up to <paramref name="maxMerges"/> merges; stops early when every piece is a single symbol.</summary>
    /// <returns>The merges in rank order, as pairs of byte-level token strings.</returns>
    public static List<(string Left, string Right)> Learn(string text, int maxMerges)
    {
        // Each distinct piece once, with its count: merging works on symbols of distinct words.
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (Match m in Regex.Matches(text, SplitPattern, RegexOptions.CultureInvariant))
        {
            string piece = ToByteLevel(m.Value);
            counts[piece] = counts.GetValueOrDefault(piece) + 1;
        }
        var words = counts.Select(kv => (Symbols: kv.Key.Select(c => c.ToString()).ToList(), Count: kv.Value)).ToList();

        var merges = new List<(string, string)>(maxMerges);
        while (merges.Count < maxMerges)
        {
            var pairCounts = new Dictionary<(string, string), int>();
            foreach (var (symbols, count) in words)
            {
                for (int i = 0; i + 1 < symbols.Count; i++)
                {
                    var pair = (symbols[i], symbols[i + 1]);
                    pairCounts[pair] = pairCounts.GetValueOrDefault(pair) + count;
                }
            }
            (string Left, string Right)? best = null;
            int bestCount = 0;
            foreach (var (pair, count) in pairCounts)
            {
                if (count > bestCount || (count == bestCount && best is { } current && Compare(pair, current) < 0))
                    (best, bestCount) = (pair, count);
            }
            if (best is not { } chosen)
                break;
            merges.Add(chosen);
            foreach (var (symbols, _) in words)
                Apply(symbols, chosen.Left, chosen.Right);
        }
        return merges;
    }

    /// <summary>The piece's UTF-8 bytes written in the GPT-2 byte alphabet (what the ByteLevel pre-tokenizer yields).</summary>
    public static string ToByteLevel(string piece)
    {
        ReadOnlySpan<char> alphabet = ByteLevelAlphabet.ByteToChar;
        var sb = new StringBuilder(piece.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(piece))
            sb.Append(alphabet[b]);
        return sb.ToString();
    }

    private static int Compare((string Left, string Right) a, (string Left, string Right) b)
    {
        int c = string.CompareOrdinal(a.Left, b.Left);
        return c != 0 ? c : string.CompareOrdinal(a.Right, b.Right);
    }

    private static void Apply(List<string> symbols, string left, string right)
    {
        for (int i = 0; i + 1 < symbols.Count; i++)
        {
            if (symbols[i] == left && symbols[i + 1] == right)
            {
                symbols[i] = left + right;
                symbols.RemoveAt(i + 1);
            }
        }
    }
}
