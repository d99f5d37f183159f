using GlmRuntime.Kv;
using GlmRuntime.Tensors;

namespace GlmRuntime.Tests.Engine;

/// <summary>
/// A contiguous cache that rounds what it stores as fp8 KV pages should, written with the tensor primitives
/// directly (not the engine's codec): c_kv to e4m3 with one float32 scale per 128 values, k_rope and the
/// indexer keys to bf16.
/// </summary>
internal sealed class RoundingKvCache(LayerKvCache inner, int kvRank) : IKvLayerCache
{
    public int LatentDim => inner.LatentDim;

    public int IndexKeyDim => inner.IndexKeyDim;

    public int Count => inner.Count;

    public ReadOnlySpan<float> Latent => inner.Latent;

    public ReadOnlySpan<float> IndexKeys => inner.IndexKeys;

    public void Append(ReadOnlySpan<float> latentRows, ReadOnlySpan<float> indexKeyRows)
    {
        var latent = latentRows.ToArray();
        for (int row = 0; row < latent.Length / LatentDim; row++)
        {
            var values = latent.AsSpan(row * LatentDim, LatentDim);
            int tiles = Fp8BlockQuantizer.TileCount(kvRank, 128);
            var bytes = new byte[kvRank];
            var scales = new float[tiles];
            Fp8BlockQuantizer.Quantize(values[..kvRank], 1, kvRank, 128, bytes, scales);
            Fp8BlockQuantizer.DequantizeRow(bytes, scales, 128, values[..kvRank]);
            RoundToBFloat16(values[kvRank..]);
        }
        var keys = indexKeyRows.ToArray();
        RoundToBFloat16(keys);
        inner.Append(latent, keys);
    }

    public void Truncate(int count) => inner.Truncate(count);

    private static void RoundToBFloat16(Span<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            values[i] = BFloat16Bits.ToSingle(BFloat16Bits.FromSingle(values[i]));
    }
}
