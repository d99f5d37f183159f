using GlmRuntime.Tokenization.Bpe;

namespace GlmRuntime.Tests.Tokenization;

public class BpeMergeTableTests
{
    [Test]
    public void TableGrowsAndLaterRuleForSamePairWins()
    {
        var table = new BpeMergeTable(0);
        for (int i = 0; i < 10_000; i++)
            table.Add(i, i + 1, rank: i, mergedId: i + 100_000);
        table.Add(5, 6, rank: 20_000, mergedId: 7);

        Assert.That(table.Count, Is.EqualTo(10_000));
        Assert.That(table.TryGet(9_999, 10_000, out int rank, out int merged) && rank == 9_999 && merged == 109_999, Is.True);
        Assert.That(table.TryGet(5, 6, out rank, out merged) && rank == 20_000 && merged == 7, Is.True);
        Assert.That(table.TryGet(6, 5, out _, out _), Is.False);
    }

    [Test]
    public void PairsDifferingOnlyInOrderOrHalvesAreDistinct()
    {
        // long.GetHashCode would send all of these to one bucket; the table must still tell them apart.
        var table = new BpeMergeTable(4);
        table.Add(1, 2, rank: 0, mergedId: 10);
        table.Add(2, 1, rank: 1, mergedId: 11);
        table.Add(3, 3, rank: 2, mergedId: 12);

        Assert.That(table.TryGet(1, 2, out int rank, out int merged) && (rank, merged) == (0, 10), Is.True);
        Assert.That(table.TryGet(2, 1, out rank, out merged) && (rank, merged) == (1, 11), Is.True);
        Assert.That(table.TryGet(0, 0, out rank, out merged), Is.False);
        Assert.That((rank, merged), Is.EqualTo((int.MaxValue, -1)));
    }
}
