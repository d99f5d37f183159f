using GlmRuntime.Sampling;

namespace GlmRuntime.Tests.Sampling;

[TestFixture]
public sealed class TopSelectionTests
{
    [TestCase(1)]
    [TestCase(3)]
    [TestCase(17)]
    [TestCase(64)]
    [TestCase(200)]
    [TestCase(500)]
    public void Selects_like_a_full_sort_with_ties_to_the_lower_index(int k)
    {
        // Few distinct values: many ties, also across the cut.
        var random = new Random(k);
        float[] values = [.. Enumerable.Range(0, 200).Select(_ => (float)random.Next(-5, 6))];
        int[] expected = [.. Enumerable.Range(0, values.Length).OrderByDescending(i => values[i]).ThenBy(i => i).Take(k)];

        var destination = new int[k];
        int written = TopSelection.Largest(values, destination);
        Assert.That(written, Is.EqualTo(expected.Length));
        Assert.That(destination[..written], Is.EqualTo(expected));
    }

    [Test]
    public void Nothing_to_select_writes_nothing()
    {
        Assert.That(TopSelection.Largest([1f, 2f], []), Is.EqualTo(0));
        Assert.That(TopSelection.Largest([], new int[3]), Is.EqualTo(0));
    }
}
