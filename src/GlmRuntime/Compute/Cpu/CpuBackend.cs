using GlmRuntime.Compute.Cpu.Linear;
using GlmRuntime.Sampling;
using GlmRuntime.Weights;

namespace GlmRuntime.Compute.Cpu;

/// <summary>
/// The managed reference backend: float32 activations, weights decoded row by row inside the kernels,
/// <c>TensorPrimitives</c> (Vector256/Vector512 underneath) for the inner loops, rows split across cores.
/// Linear layers decode MXFP4, FP8 and BF16 weights in registers on the AVX-512 or AVX2 path
/// (<see cref="Linear.LinearKernel"/>); <see cref="CpuIsa.Portable"/> is the reference they are tested against.
/// </summary>
internal sealed class CpuBackend(int? threadCount = null, CpuIsa? isa = null,
    CpuActivationPrecision activations = CpuActivationPrecision.Float32) : IComputeBackend
{
    private readonly CpuParallel _parallel = new(threadCount ?? Environment.ProcessorCount, isa, activations);

    public string Name => _parallel.Activations == CpuActivationPrecision.Float32
        ? $"cpu ({_parallel.ThreadCount} threads, {_parallel.Isa})"
        : $"cpu ({_parallel.ThreadCount} threads, {_parallel.Isa}, {_parallel.Activations} activations)";

    public void Embed(LinearWeight table, ReadOnlySpan<int> tokens, Span<float> destination)
    {
        int d = table.InFeatures;
        for (int t = 0; t < tokens.Length; t++)
        {
            if ((uint)tokens[t] >= (uint)table.OutFeatures)
                throw new ArgumentOutOfRangeException(nameof(tokens), tokens[t], $"Token id at index {t} is outside the vocabulary of {table.OutFeatures}.");
            table.DequantizeRow(tokens[t], destination.Slice(t * d, d));
        }
    }

    public void MatMul(LinearWeight weight, ReadOnlySpan<float> input, int rows, Span<float> output) =>
        MatMulKernel.Multiply(_parallel, weight, input, rows, output);

    public void RmsNorm(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, float epsilon, Span<float> output) =>
        NormKernels.RmsNorm(input, weight, epsilon, output);

    public void LayerNorm(ReadOnlySpan<float> input, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float epsilon, Span<float> output) =>
        NormKernels.LayerNorm(input, gamma, beta, epsilon, output);

    public void ApplyRope(Span<float> data, int heads, int headStride, int offset, ReadOnlySpan<int> positions, RotaryTable table) =>
        RopeKernel.Apply(data, heads, headStride, offset, positions, table);

    public void SiluMul(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> destination) =>
        MoeKernels.SwiGlu(gate, up, destination);

    public void MlaAbsorbQuery(LinearWeight kvB, MlaShape shape, ReadOnlySpan<float> query, Span<float> absorbed) =>
        MlaKernels.AbsorbQuery(_parallel, kvB, shape, query, absorbed);

    public void MlaExpandValues(LinearWeight kvB, MlaShape shape, ReadOnlySpan<float> latentOutput, Span<float> output) =>
        MlaKernels.ExpandValues(_parallel, kvB, shape, latentOutput, output);

    public void MlaAttentionAbsorbed(MlaShape shape, ReadOnlySpan<float> absorbedQuery, ReadOnlySpan<float> latentCache, AttentionMask mask, Span<float> latentOutput) =>
        MlaKernels.AttentionAbsorbed(_parallel, shape, absorbedQuery, latentCache, mask, latentOutput);

    public void MlaAttentionExpanded(MlaShape shape, ReadOnlySpan<float> query, ReadOnlySpan<float> expandedKv, ReadOnlySpan<float> latentCache, AttentionMask mask, Span<float> output) =>
        MlaKernels.AttentionExpanded(_parallel, shape, query, expandedKv, latentCache, mask, output);

    public void IndexerTopK(ReadOnlySpan<float> query, ReadOnlySpan<float> headWeights, ReadOnlySpan<float> keys, int heads, int headDim,
        ReadOnlySpan<int> positions, int topK, Span<int> selected) =>
        IndexerKernel.TopK(_parallel, query, headWeights, keys, heads, headDim, positions, topK, selected);

    public void Route(ReadOnlySpan<float> routerLogits, ReadOnlySpan<float> correctionBias, RoutingSettings settings, Span<int> experts, Span<float> weights) =>
        MoeKernels.Route(routerLogits, correctionBias, settings, experts, weights);

    public void MoeExperts(IReadOnlyList<MlpWeights> experts, ReadOnlySpan<float> input, ReadOnlySpan<int> chosen, ReadOnlySpan<float> weights,
        int expertsPerToken, Span<float> output) =>
        MoeKernels.Experts(_parallel, experts, input, chosen, weights, expertsPerToken, output);

    public int Sample(ReadOnlySpan<float> logits, SamplingParams sampling, Random random) => Sampler.Sample(logits, sampling, random);
}
