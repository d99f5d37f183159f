using GlmRuntime.Tokenization.Bpe;

namespace GlmRuntime.Tests.Tokenization;

public class BpeWordMergerTests
{
    /// <summary>
    /// A random table with the property real BPE tables have: a rule's result is the token spelled by
    /// concatenating its two parts, so several rules can build the same token ("ab"+"c", "a"+"bc").
    /// </summary>
    private static BpeMergeTable RandomTable(Random random, int rules)
    {
        var tokens = new List<string> { "a", "b", "c" };
        var ids = new Dictionary<string, int> { ["a"] = 0, ["b"] = 1, ["c"] = 2 };
        var table = new BpeMergeTable(rules);
        var seen = new HashSet<(int, int)>();
        for (int rank = 0; rank < rules; rank++)
        {
            int left = random.Next(tokens.Count), right = random.Next(tokens.Count);
            string merged = tokens[left] + tokens[right];
            if (merged.Length > 8 || !seen.Add((left, right)))
                continue;
            if (!ids.TryGetValue(merged, out int mergedId))
            {
                mergedId = tokens.Count;
                ids.Add(merged, mergedId);
                tokens.Add(merged);
            }
            table.Add(left, right, rank, mergedId);
        }
        return table;
    }

    /// <summary>The textbook algorithm: merge the leftmost pair of lowest rank until none has a rule.</summary>
    private static List<int> Reference(IEnumerable<int> word, BpeMergeTable table)
    {
        var ids = word.ToList();
        while (true)
        {
            int best = -1, bestRank = int.MaxValue, bestMerged = -1;
            for (int i = 0; i + 1 < ids.Count; i++)
            {
                if (table.TryGet(ids[i], ids[i + 1], out int rank, out int merged) && rank < bestRank)
                    (best, bestRank, bestMerged) = (i, rank, merged);
            }
            if (best < 0)
                return ids;
            ids[best] = bestMerged;
            ids.RemoveAt(best + 1);
        }
    }

    [Test]
    public void ShortAndLongWordsMergeLikeTheTextbookAlgorithm()
    {
        var random = new Random(1234);
        BpeMergeTable table = RandomTable(random, rules: 300);
        foreach (int length in new[] { 1, 2, 3, 5, 8, 17, 40, 64, 65, 100, 300, 1000 })
        {
            for (int trial = 0; trial < 20; trial++)
            {
                int[] word = Enumerable.Range(0, length).Select(_ => random.Next(3)).ToArray();
                List<int> expected = Reference(word, table);
                int count = BpeWordMerger.Merge(word, table);
                Assert.That(word[..count], Is.EqualTo(expected), $"length {length}, trial {trial}");
            }
        }
    }

    [Test]
    public void RepeatedPairMergesFromTheLeft()
    {
        var table = new BpeMergeTable(1);
        table.Add(0, 0, rank: 0, mergedId: 1);
        int[] word = [0, 0, 0];

        Assert.That(word[..BpeWordMerger.Merge(word, table)], Is.EqualTo(new[] { 1, 0 }));
    }
}
