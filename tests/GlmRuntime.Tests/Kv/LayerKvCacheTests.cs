using GlmRuntime.Kv;

namespace GlmRuntime.Tests.Kv;

[TestFixture]
public sealed class LayerKvCacheTests
{
    [Test]
    public void Rows_append_in_position_order_and_truncate_rolls_back()
    {
        var cache = new LayerKvCache(latentDim: 3, indexKeyDim: 2, maxTokens: 100);
        cache.Append([1, 2, 3, 4, 5, 6], [7, 8, 9, 10]);
        for (int i = 0; i < 40; i++)
            cache.Append([i, i, i], [i, -i]);
        Assert.That(cache.Count, Is.EqualTo(42));
        Assert.That(cache.Latent[..6].ToArray(), Is.EqualTo(new float[] { 1, 2, 3, 4, 5, 6 }));
        Assert.That(cache.IndexKeys.Slice(41 * 2, 2).ToArray(), Is.EqualTo(new float[] { 39, -39 }));
        cache.Truncate(2);
        Assert.That(cache.Count, Is.EqualTo(2));
        Assert.That(cache.Latent.Length, Is.EqualTo(6));
    }

    [Test]
    public void Misshapen_rows_and_overflow_are_rejected()
    {
        var cache = new LayerKvCache(3, 2, maxTokens: 2);
        Assert.Throws<ArgumentException>(() => cache.Append([1, 2, 3], [1]));
        cache.Append([1, 2, 3, 4, 5, 6], [1, 2, 3, 4]);
        var error = Assert.Throws<InvalidOperationException>(() => cache.Append([1, 2, 3], [1, 2]));
        Assert.That(error!.Message, Does.Contain("limit is 2"));
        Assert.Throws<ArgumentOutOfRangeException>(() => cache.Truncate(3));
    }
}
