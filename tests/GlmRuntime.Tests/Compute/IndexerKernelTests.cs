using GlmRuntime.Compute.Cpu;

namespace GlmRuntime.Tests.Compute;

/// <summary>The lightning indexer's score and selection (MODEL.md §3.5, §6.5 item 6).</summary>
[TestFixture]
public sealed class IndexerKernelTests
{
    private static readonly CpuParallel Serial = new(1);

    [Test]
    public void Relu_applies_per_head_before_the_signed_weights()
    {
        // One query at position 2 over keys 0..2, top-1. Keys have two dims; head A (weight +1) reads dim 0,
        // head B (weight −1) reads dim 1. Key 1's head-B product is −3: the ReLU zeroes it (score 0, key 0 wins
        // with 1), while without the ReLU −1·(−3) = +3 would make key 1 win.
        float[] keys = [1f, 0f, /* 1 */ 0f, -3f, /* 2 */ 0.5f, 0f]; // [S=3, D=2]
        float[] query = [1f, 0f, /* head B */ 0f, 1f];               // [T=1, H=2, D=2]
        float[] weights = [1f, -1f];                                 // [T=1, H=2]
        int[] selected = new int[1];
        IndexerKernel.TopK(Serial, query, weights, keys, 2, 2, [2], 1, selected);
        Assert.That(selected, Is.EqualTo(new[] { 0 }));

        // Flip the sign of key 1's head-A product from 0 to a positive 2: now it passes the ReLU and wins.
        keys[2] = 2f;
        IndexerKernel.TopK(Serial, query, weights, keys, 2, 2, [2], 1, selected);
        Assert.That(selected, Is.EqualTo(new[] { 1 }));
        keys[2] = -2f;
        IndexerKernel.TopK(Serial, query, weights, keys, 2, 2, [2], 1, selected);
        Assert.That(selected, Is.EqualTo(new[] { 0 }), "a negative product contributes nothing, not a penalty");
    }

    [Test]
    public void Selection_is_causal_ascending_and_padded()
    {
        float[] keys = [5f, 1f, 4f, 3f, 9f];     // key 4 scores best but lies in the future of query 3
        float[] query = [1f, 1f, 1f];             // queries at positions 0, 1, 3 (H=1, D=1)
        float[] weights = [1f, 1f, 1f];
        int[] selected = new int[3 * 2];
        IndexerKernel.TopK(Serial, query, weights, keys, 1, 1, [0, 1, 3], 2, selected);
        Assert.That(selected, Is.EqualTo(new[] { 0, -1, /* t=1 */ 0, 1, /* t=3 */ 0, 2 }));
    }

    [Test]
    public void Heap_selection_equals_a_full_sort_with_ties_to_the_earlier_key()
    {
        var random = new Random(9);
        for (int trial = 0; trial < 200; trial++)
        {
            int count = random.Next(1, 60), k = random.Next(1, count + 1);
            // Few distinct values, so ties are common.
            float[] scores = Enumerable.Range(0, count).Select(_ => (float)random.Next(-3, 4)).ToArray();
            int[] expected = Enumerable.Range(0, count).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(k).Order().ToArray();
            int[] actual = new int[k];
            IndexerKernel.SelectTop(scores, new int[count], actual);
            Assert.That(actual, Is.EqualTo(expected), $"trial {trial}");
        }
    }
}
