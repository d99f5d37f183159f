using GlmRuntime.Checkpoints;
using GlmRuntime.Tensors;

namespace GlmRuntime.Weights;

/// <summary>
/// One random [N, K] weight written to its own safetensors file and mapped back, for kernel tests and benchmarks
/// (a weight always reads from a mapping, exactly as a loaded checkpoint's do).
/// </summary>
internal sealed class RandomLinearWeight : IDisposable
{
    private readonly SafetensorsFile _file;

    private RandomLinearWeight(SafetensorsFile file, LinearWeight weight)
    {
        _file = file;
        Weight = weight;
    }

    public LinearWeight Weight { get; }

    /// <summary>Writes <paramref name="path"/> and maps it. Formats: MXFP4, FP8 block (128 × 128) or BF16.</summary>
    public static RandomLinearWeight Create(string path, WeightFormat format, int n, int k, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var writer = new SafetensorsWriter();
        switch (format)
        {
            case WeightFormat.Mxfp4:
            {
                var (packed, scales) = RandomPackedWeights.Mxfp4(random, n, k);
                writer.Add("w.weight", DType.U8, [n, Mxfp4.PackedRowBytes(k)], packed);
                writer.Add("w.weight_scale", DType.U8, [n, Mxfp4.ScalesPerRow(k)], scales);
                break;
            }
            case WeightFormat.Fp8Block:
            {
                int tilesN = Fp8BlockQuantizer.TileCount(n, 128), tilesK = Fp8BlockQuantizer.TileCount(k, 128);
                var codes = new byte[(long)n * k];
                var scales = new float[tilesN * tilesK];
                RandomPackedWeights.FillFp8(random, k, codes, scales);
                writer.Add("w.weight", DType.F8E4M3, [n, k], codes);
                writer.AddF32("w.weight_scale_inv", [tilesN, tilesK], scales);
                break;
            }
            case WeightFormat.BF16:
            {
                var data = new byte[(long)n * k * 2];
                RandomPackedWeights.FillBf16(random, 1f / MathF.Sqrt(k), data);
                writer.Add("w.weight", DType.BF16, [n, k], data);
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Random weights are MXFP4, FP8 block or BF16.");
        }
        writer.Write(path);
        var file = SafetensorsFile.Open(path);
        try
        {
            LinearWeight weight = format switch
            {
                WeightFormat.Mxfp4 => new Mxfp4LinearWeight("w", n, k, new TensorSlice(file, file.GetInfo("w.weight")), new TensorSlice(file, file.GetInfo("w.weight_scale"))),
                WeightFormat.Fp8Block => new Fp8BlockLinearWeight("w", n, k, new TensorSlice(file, file.GetInfo("w.weight")), new TensorSlice(file, file.GetInfo("w.weight_scale_inv")), 128, 128),
                _ => new DenseLinearWeight("w", n, k, new TensorSlice(file, file.GetInfo("w.weight"))),
            };
            return new RandomLinearWeight(file, weight);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public void Dispose() => _file.Dispose();
}
