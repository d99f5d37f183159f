using System.Runtime.InteropServices;
using GlmRuntime.Checkpoints;
using GlmRuntime.Tensors;
using GlmRuntime.Tests.Support;
using GlmRuntime.Weights;

namespace GlmRuntime.Tests.Weights;

/// <summary>
/// quant_vectors.safetensors of the quantized folders: the dequantized matrices must equal the F32
/// references bit for bit, the checkpoint's own tensors must hold the same bytes, and the quantizers must
/// reproduce Quark's and the FP8 recipe's bytes from the BF16 sources.
/// </summary>
public class QuantVectorTests
{
    private static IEnumerable<string> Modules(SafetensorsFile file) =>
        file.Tensors.Keys.Where(n => n.EndsWith(".weight.bf16", StringComparison.Ordinal)).Select(n => n[..^".weight.bf16".Length]);

    private static LinearWeight Build(SafetensorsFile file, string module)
    {
        TensorInfo weight = file.GetInfo(module + ".weight");
        TensorInfo source = file.GetInfo(module + ".weight.bf16");
        int n = (int)source.Shape[0], k = (int)source.Shape[1];
        return weight.DType == DType.U8
            ? new Mxfp4LinearWeight(module, n, k, new TensorSlice(file, weight), new TensorSlice(file, file.GetInfo(module + ".weight_scale")))
            : new Fp8BlockLinearWeight(module, n, k, new TensorSlice(file, weight), new TensorSlice(file, file.GetInfo(module + ".weight_scale_inv")), 128, 128);
    }

    private static float[] Floats(SafetensorsFile file, string name) => MemoryMarshal.Cast<byte, float>(file.GetBytes(file.GetInfo(name))).ToArray();

    private static float[] Bf16(SafetensorsFile file, string name)
    {
        var bits = MemoryMarshal.Cast<byte, ushort>(file.GetBytes(file.GetInfo(name)));
        var values = new float[bits.Length];
        BFloat16Bits.ToSingle(bits, values);
        return values;
    }

    [TestCase("tiny-glm5-mxfp4")]
    [TestCase("tiny-glm5-fp8")]
    public void DequantizedValuesEqualTheReferenceBitForBit(string folder)
    {
        using var file = SafetensorsFile.Open(SharedData.PathOf("models", folder, "quant_vectors.safetensors"));
        var dequantNames = file.Tensors.Keys.Where(n => n.EndsWith(".weight.dequant", StringComparison.Ordinal)).ToList();
        Assert.That(dequantNames, Has.Count.GreaterThanOrEqualTo(2));
        foreach (string name in dequantNames)
        {
            string module = name[..^".weight.dequant".Length];
            float[] actual = Build(file, module).DequantizeAll();
            float[] expected = Floats(file, name);
            int[] actualBits = actual.Select(BitConverter.SingleToInt32Bits).ToArray();
            int[] expectedBits = expected.Select(BitConverter.SingleToInt32Bits).ToArray();
            Assert.That(actualBits, Is.EqualTo(expectedBits), module);
        }
    }

    [TestCase("tiny-glm5-mxfp4")]
    [TestCase("tiny-glm5-fp8")]
    public void CheckpointTensorsHoldTheVectorBytes(string folder)
    {
        using var vectors = SafetensorsFile.Open(SharedData.PathOf("models", folder, "quant_vectors.safetensors"));
        using var weights = GlmWeights.Load(SharedData.PathOf("models", folder));
        var byName = weights.AllLinearWeights().ToDictionary(w => w.Name);
        foreach (string module in Modules(vectors).Where(m => !m.StartsWith("synthetic.", StringComparison.Ordinal)))
        {
            LinearWeight loaded = byName[module];
            Assert.That(loaded.Format, Is.AnyOf(WeightFormat.Mxfp4, WeightFormat.Fp8Block), module);
            Assert.That(loaded.DequantizeAll(), Is.EqualTo(Build(vectors, module).DequantizeAll()), module);
        }
    }

    [Test]
    public void Mxfp4QuantizerReproducesQuarkBytes()
    {
        using var file = SafetensorsFile.Open(SharedData.PathOf("models", "tiny-glm5-mxfp4", "quant_vectors.safetensors"));
        foreach (string module in Modules(file))
        {
            float[] source = Bf16(file, module + ".weight.bf16");
            TensorInfo info = file.GetInfo(module + ".weight.bf16");
            int n = (int)info.Shape[0], k = (int)info.Shape[1];
            int rowBytes = Mxfp4.PackedRowBytes(k), rowScales = Mxfp4.ScalesPerRow(k);
            var packed = new byte[n * rowBytes];
            var scales = new byte[n * rowScales];
            for (int r = 0; r < n; r++)
                Mxfp4.QuantizeRowQuark(source.AsSpan(r * k, k), packed.AsSpan(r * rowBytes, rowBytes), scales.AsSpan(r * rowScales, rowScales));
            Assert.That(scales, Is.EqualTo(file.GetBytes(file.GetInfo(module + ".weight_scale")).ToArray()), module + " scales");
            Assert.That(packed, Is.EqualTo(file.GetBytes(file.GetInfo(module + ".weight")).ToArray()), module + " codes");
        }
    }

    [Test]
    public void Fp8QuantizerReproducesTheRecipeBytes()
    {
        using var file = SafetensorsFile.Open(SharedData.PathOf("models", "tiny-glm5-fp8", "quant_vectors.safetensors"));
        foreach (string module in Modules(file))
        {
            float[] source = Bf16(file, module + ".weight.bf16");
            TensorInfo info = file.GetInfo(module + ".weight.bf16");
            int n = (int)info.Shape[0], k = (int)info.Shape[1];
            var q = new byte[n * k];
            var s = new float[Fp8BlockQuantizer.TileCount(n, 128) * Fp8BlockQuantizer.TileCount(k, 128)];
            Fp8BlockQuantizer.Quantize(source, n, k, 128, q, s);
            Assert.That(s, Is.EqualTo(Floats(file, module + ".weight_scale_inv")), module + " scales");
            Assert.That(q, Is.EqualTo(file.GetBytes(file.GetInfo(module + ".weight")).ToArray()), module + " bytes");
        }
    }
}
