using GlmRuntime.Compute;
using GlmRuntime.Compute.Cpu;
using GlmRuntime.Compute.Cpu.Linear;
using GlmRuntime.Native;
using GlmRuntime.Sampling;
using GlmRuntime.Tests.Support;
using GlmRuntime.Weights;

namespace GlmRuntime.Gpu.Tests;

/// <summary>
/// Each native kernel, through <see cref="GpuBackend"/>, against the managed <see cref="CpuBackend"/> on random inputs.
/// Outputs start as NaN so an element a kernel fails to write shows up. Weight decoding is exact in both backends, so
/// the bounds are float32 summation-order bounds: K·2⁻²³·Σ|w·x| for dot products, a few ulps for elementwise ops.
/// </summary>
[Category("Gpu")]
[Parallelizable(ParallelScope.None)]
public sealed class GpuKernelTests
{
    private GpuBackend _gpu = null!;
    private CpuBackend _cpu = null!;
    private TempDirectory _files = null!;

    [OneTimeSetUp]
    public void Open()
    {
        GpuDevice.Require();
        _gpu = new GpuBackend(0, []);
        _cpu = new CpuBackend(isa: CpuIsa.Portable);
        _files = new TempDirectory();
    }

    [OneTimeTearDown]
    public void Close()
    {
        _gpu?.Dispose();
        _files?.Dispose();
    }

    private static float[] RandomValues(int count, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        return values;
    }

    private static float[] Poisoned(int count) => Enumerable.Repeat(float.NaN, count).ToArray();

    private RandomLinearWeight Weight(WeightFormat format, int n, int k, ulong seed) =>
        RandomLinearWeight.Create(_files.File($"{format}-{n}x{k}-{seed}.safetensors"), format, n, k, seed);

    /// <summary>|a − b| ≤ K·2⁻²³·Σ|w·x| + tiny, per output, with the magnitude sum taken from the dequantized weight.</summary>
    private static void AssertDotProductsClose(float[] gpu, float[] cpu, LinearWeight weight, float[] x, int rows, string what)
    {
        var w = weight.DequantizeAll();
        int n = weight.OutFeatures, k = weight.InFeatures;
        for (int t = 0; t < rows; t++)
        for (int j = 0; j < n; j++)
        {
            double magnitude = 0;
            for (int i = 0; i < k; i++)
                magnitude += Math.Abs((double)w[(long)j * k + i] * x[t * k + i]);
            double bound = k * Math.Pow(2, -23) * magnitude + 1e-30;
            float a = gpu[t * n + j], b = cpu[t * n + j];
            Assert.That(float.IsNaN(a), Is.False, $"{what}: output [{t}, {j}] was not written");
            Assert.That(Math.Abs(a - b), Is.LessThanOrEqualTo(bound), $"{what}: [{t}, {j}] gpu {a} cpu {b}");
        }
    }

    [TestCase(WeightFormat.BF16, 96, 256, 1)]
    [TestCase(WeightFormat.BF16, 130, 72, 5)]
    [TestCase(WeightFormat.Fp8Block, 200, 384, 3)]
    [TestCase(WeightFormat.Fp8Block, 64, 136, 9)]
    [TestCase(WeightFormat.Mxfp4, 128, 512, 1)]
    [TestCase(WeightFormat.Mxfp4, 96, 96, 17)]
    public void Gemm_matches_the_cpu_backend(WeightFormat format, int n, int k, int rows)
    {
        using var weight = Weight(format, n, k, (ulong)(n * 31 + k));
        var x = RandomValues(rows * k, n + k);
        var gpu = Poisoned(rows * n);
        var cpu = new float[rows * n];
        _gpu.MatMul(weight.Weight, x, rows, gpu);
        _cpu.MatMul(weight.Weight, x, rows, cpu);
        AssertDotProductsClose(gpu, cpu, weight.Weight, x, rows, $"{format} [{n}, {k}] × {rows}");
    }

    [TestCase(WeightFormat.BF16)]
    [TestCase(WeightFormat.Mxfp4)]
    public void Embedding_gather_is_exact(WeightFormat format)
    {
        using var table = Weight(format, 300, 64, 7);
        int[] tokens = [0, 299, 17, 17, 150];
        var gpu = Poisoned(tokens.Length * 64);
        var cpu = new float[tokens.Length * 64];
        _gpu.Embed(table.Weight, tokens, gpu);
        _cpu.Embed(table.Weight, tokens, cpu);
        Assert.That(gpu, Is.EqualTo(cpu));
        Assert.Throws<ArgumentOutOfRangeException>(() => _gpu.Embed(table.Weight, [300], new float[64]));
    }

    [Test]
    public void Rms_and_layer_norm_match()
    {
        const int width = 700, rows = 5;
        var x = RandomValues(rows * width, 1, 3f);
        var w = RandomValues(width, 2);
        var b = RandomValues(width, 3);
        var gpu = Poisoned(rows * width);
        var cpu = new float[rows * width];
        _gpu.RmsNorm(x, w, 1e-6f, gpu);
        _cpu.RmsNorm(x, w, 1e-6f, cpu);
        Approx.AssertClose(gpu, cpu, 1e-6, 1e-5, "RMSNorm");
        gpu = Poisoned(rows * width);
        _gpu.LayerNorm(x, w, b, 1e-5f, gpu);
        _cpu.LayerNorm(x, w, b, 1e-5f, cpu);
        Approx.AssertClose(gpu, cpu, 1e-6, 1e-5, "LayerNorm");
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Rope_matches_both_conventions(bool interleaved)
    {
        var table = RotaryTable.Create(new Configuration.RopeConfig(10000), 64, interleaved);
        const int heads = 3, stride = 96, offset = 32;
        int[] positions = [0, 1, 7, 511, 4000];
        var data = RandomValues(positions.Length * heads * stride, 4);
        var gpu = (float[])data.Clone();
        var cpu = (float[])data.Clone();
        _gpu.ApplyRope(gpu, heads, stride, offset, positions, table);
        _cpu.ApplyRope(cpu, heads, stride, offset, positions, table);
        Approx.AssertClose(gpu, cpu, 1e-5, 1e-5, $"RoPE interleaved={interleaved}");
    }

    [Test]
    public void Swiglu_matches()
    {
        var gate = RandomValues(10_001, 5, 6f);
        var up = RandomValues(10_001, 6);
        var gpu = Poisoned(gate.Length);
        var cpu = new float[gate.Length];
        _gpu.SiluMul(gate, up, gpu);
        _cpu.SiluMul(gate, up, cpu);
        Approx.AssertClose(gpu, cpu, 1e-6, 1e-5, "SwiGLU");
    }

    [TestCase(1, 0)]
    [TestCase(4, 2)]
    public void Router_matches_with_bias_and_groups(int groups, int kept)
    {
        var settings = new RoutingSettings(64, 6, groups, Math.Max(1, kept), NormalizeTopK: true, ScalingFactor: 2.5f, SoftmaxScoring: false);
        const int tokens = 9;
        var logits = RandomValues(tokens * 64, 7, 4f);
        var bias = RandomValues(64, 8, 0.1f);
        var gpuExperts = new int[tokens * 6];
        var cpuExperts = new int[tokens * 6];
        var gpuWeights = Poisoned(tokens * 6);
        var cpuWeights = new float[tokens * 6];
        _gpu.Route(logits, bias, settings, gpuExperts, gpuWeights);
        _cpu.Route(logits, bias, settings, cpuExperts, cpuWeights);
        Assert.That(gpuExperts, Is.EqualTo(cpuExperts));
        Approx.AssertClose(gpuWeights, cpuWeights, 1e-6, 1e-5, "routing weights");
    }

    private static MlaShape Shape => new(Heads: 4, NopeDim: 32, RopeDim: 16, ValueDim: 24, KvRank: 64, Scale: 0.125f);

    [TestCase(WeightFormat.BF16)]
    [TestCase(WeightFormat.Mxfp4)]
    public void Mla_absorb_and_expand_match(WeightFormat format)
    {
        var s = Shape;
        using var kvB = Weight(format, s.Heads * s.KvBRowsPerHead, s.KvRank, 11);
        const int tokens = 6;
        var q = RandomValues(tokens * s.Heads * s.QkHeadDim, 12);
        var gpu = Poisoned(tokens * s.Heads * s.LatentDim);
        var cpu = new float[gpu.Length];
        _gpu.MlaAbsorbQuery(kvB.Weight, s, q, gpu);
        _cpu.MlaAbsorbQuery(kvB.Weight, s, q, cpu);
        Approx.AssertClose(gpu, cpu, 1e-4, 1e-4, "absorbed query");

        var latent = RandomValues(tokens * s.Heads * s.KvRank, 13);
        gpu = Poisoned(tokens * s.Heads * s.ValueDim);
        cpu = new float[gpu.Length];
        _gpu.MlaExpandValues(kvB.Weight, s, latent, gpu);
        _cpu.MlaExpandValues(kvB.Weight, s, latent, cpu);
        Approx.AssertClose(gpu, cpu, 1e-4, 1e-4, "expanded values");
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Mla_attention_matches_dense_and_sparse(bool sparse)
    {
        var s = Shape;
        const int cached = 40;
        int[] positions = [5, 20, 39];
        var cache = RandomValues(cached * s.LatentDim, 14);
        var query = RandomValues(positions.Length * s.Heads * s.LatentDim, 15);
        int[] selected = [0, 3, 5, 9, -1, -1, 1, 2, 19, 20, 21, 30, 39, 38, 0, 7, 8, -1];
        var mask = sparse ? new AttentionMask(positions, selected, 6) : new AttentionMask(positions);
        var gpu = Poisoned(positions.Length * s.Heads * s.KvRank);
        var cpu = new float[gpu.Length];
        _gpu.MlaAttentionAbsorbed(s, query, cache, mask, gpu);
        _cpu.MlaAttentionAbsorbed(s, query, cache, mask, cpu);
        Approx.AssertClose(gpu, cpu, 1e-5, 1e-4, $"absorbed attention sparse={sparse}");

        var q = RandomValues(positions.Length * s.Heads * s.QkHeadDim, 16);
        var kv = RandomValues(cached * s.Heads * s.KvBRowsPerHead, 17);
        gpu = Poisoned(positions.Length * s.Heads * s.ValueDim);
        cpu = new float[gpu.Length];
        _gpu.MlaAttentionExpanded(s, q, kv, cache, mask, gpu);
        _cpu.MlaAttentionExpanded(s, q, kv, cache, mask, cpu);
        Approx.AssertClose(gpu, cpu, 1e-5, 1e-4, $"expanded attention sparse={sparse}");
    }

    [TestCase(16)]
    [TestCase(64)]
    public void Indexer_top_k_matches(int topK)
    {
        const int heads = 4, headDim = 32, cached = 300;
        int[] positions = [3, 15, 16, 120, 299, 299];
        var query = RandomValues(positions.Length * heads * headDim, 23);
        var weights = RandomValues(positions.Length * heads, 24);
        var keys = RandomValues(cached * headDim, 25);
        var gpu = Enumerable.Repeat(int.MinValue, positions.Length * topK).ToArray();
        var cpu = new int[gpu.Length];
        _gpu.IndexerTopK(query, weights, keys, heads, headDim, positions, topK, gpu);
        _cpu.IndexerTopK(query, weights, keys, heads, headDim, positions, topK, cpu);
        Assert.That(gpu, Is.EqualTo(cpu));
    }

    [Test]
    public void Indexer_and_sparse_decode_match_at_glm5_shapes()
    {
        // GLM-5's indexer (32 heads of 128, top-2,048) and absorbed attention (512 + 64 latent; 16 of the 64 heads)
        // over a 2,100-token cache: the later queries select 2,048 of their keys, the earliest fewer than that.
        const int indexHeads = 32, indexDim = 128, topK = 2048, cached = 2100;
        int[] positions = [2099, 2047, 1500];
        var query = RandomValues(positions.Length * indexHeads * indexDim, 51);
        var headWeights = RandomValues(positions.Length * indexHeads, 52);
        var keys = RandomValues(cached * indexDim, 53);
        var gpuSelected = Enumerable.Repeat(int.MinValue, positions.Length * topK).ToArray();
        var cpuSelected = new int[gpuSelected.Length];
        _gpu.IndexerTopK(query, headWeights, keys, indexHeads, indexDim, positions, topK, gpuSelected);
        _cpu.IndexerTopK(query, headWeights, keys, indexHeads, indexDim, positions, topK, cpuSelected);
        Assert.That(gpuSelected, Is.EqualTo(cpuSelected));

        var s = new MlaShape(Heads: 16, NopeDim: 192, RopeDim: 64, ValueDim: 256, KvRank: 512, Scale: 0.0417f);
        var cache = RandomValues(cached * s.LatentDim, 54);
        var absorbed = RandomValues(positions.Length * s.Heads * s.LatentDim, 55, 4f);
        var mask = new AttentionMask(positions, cpuSelected, topK);
        var gpu = Poisoned(positions.Length * s.Heads * s.KvRank);
        var cpu = new float[gpu.Length];
        _gpu.MlaAttentionAbsorbed(s, absorbed, cache, mask, gpu);
        _cpu.MlaAttentionAbsorbed(s, absorbed, cache, mask, cpu);
        Approx.AssertClose(gpu, cpu, 1e-5, 1e-4, "sparse MLA decode at GLM-5's latent width over 2,048 selected positions");
    }

    [Test]
    public void Indexer_ties_go_to_the_earlier_key()
    {
        const int heads = 1, headDim = 4, cached = 40, topK = 8;
        var keys = new float[cached * headDim];
        for (int s = 0; s < cached; s++)
            keys[s * headDim] = s % 5 == 0 ? 2f : 1f; // eight keys score 2, the rest tie at 1
        float[] query = [1f, 0f, 0f, 0f], weights = [1f];
        int[] positions = [cached - 1];
        var gpu = new int[topK];
        var cpu = new int[topK];
        _gpu.IndexerTopK(query, weights, keys, heads, headDim, positions, topK, gpu);
        _cpu.IndexerTopK(query, weights, keys, heads, headDim, positions, topK, cpu);
        Assert.That(gpu, Is.EqualTo(cpu));
        Assert.That(gpu, Is.EqualTo(new[] { 0, 5, 10, 15, 20, 25, 30, 35 }));
        positions = [12]; // three keys at 2, then the five earliest of the ties at 1
        _gpu.IndexerTopK(query, weights, keys, heads, headDim, positions, topK, gpu);
        _cpu.IndexerTopK(query, weights, keys, heads, headDim, positions, topK, cpu);
        Assert.That(gpu, Is.EqualTo(cpu));
    }

    [Test]
    public void Sparse_decode_covers_head_groups_tiles_and_gaps()
    {
        var s = new MlaShape(Heads: 12, NopeDim: 16, RopeDim: 8, ValueDim: 16, KvRank: 40, Scale: 0.2f);
        const int cached = 100, perQuery = 37;
        int[] positions = [99, 50, 3];
        var random = new Random(26);
        var selected = new int[positions.Length * perQuery];
        for (int i = 0; i < selected.Length; i++)
            selected[i] = random.Next(-3, cached); // gaps (−1), positions past the query, repeats
        var cache = RandomValues(cached * s.LatentDim, 27, 2f);
        var query = RandomValues(positions.Length * s.Heads * s.LatentDim, 28);
        foreach (bool sparse in new[] { true, false })
        {
            var mask = sparse ? new AttentionMask(positions, selected, perQuery) : new AttentionMask(positions);
            var gpu = Poisoned(positions.Length * s.Heads * s.KvRank);
            var cpu = new float[gpu.Length];
            _gpu.MlaAttentionAbsorbed(s, query, cache, mask, gpu);
            _cpu.MlaAttentionAbsorbed(s, query, cache, mask, cpu);
            Approx.AssertClose(gpu, cpu, 1e-5, 1e-4, $"sparse decode, sparse={sparse}");
        }
    }

    [Test]
    public void Moe_experts_match()
    {
        const int d = 128, width = 64, experts = 4, k = 2, tokens = 5;
        var owned = new List<RandomLinearWeight>();
        try
        {
            var mlps = new List<MlpWeights>();
            for (int e = 0; e < experts; e++)
            {
                var gate = Weight(WeightFormat.Mxfp4, width, d, (ulong)(100 + e));
                var up = Weight(WeightFormat.Mxfp4, width, d, (ulong)(200 + e));
                var down = Weight(WeightFormat.Mxfp4, d, width, (ulong)(300 + e));
                owned.AddRange([gate, up, down]);
                mlps.Add(new MlpWeights(gate.Weight, up.Weight, down.Weight));
            }
            var x = RandomValues(tokens * d, 18);
            int[] chosen = [0, 1, 1, 3, 0, 2, 2, 3, 1, 2];
            var weights = RandomValues(tokens * k, 19);
            var gpu = Poisoned(tokens * d);
            var cpu = new float[tokens * d];
            _gpu.MoeExperts(mlps, x, chosen, weights, k, gpu);
            MoeKernels.ExpertsOneByOne(new CpuParallel(1, CpuIsa.Portable), mlps, x, chosen, weights, k, cpu);
            Approx.AssertClose(gpu, cpu, 1e-4, 1e-4, "MoE experts");
        }
        finally
        {
            owned.ForEach(w => w.Dispose());
        }
    }

    [Test]
    public void Greedy_sampling_is_the_argmax_with_ties_to_the_lower_id()
    {
        var logits = RandomValues(50_000, 20);
        logits[31_337] = 9f;
        logits[40_000] = 9f;
        Assert.That(_gpu.Sample(logits, SamplingParams.Greedy, new Random(1)), Is.EqualTo(31_337));
        Assert.That(_gpu.Sample(logits, SamplingParams.Greedy, new Random(1)), Is.EqualTo(_cpu.Sample(logits, SamplingParams.Greedy, new Random(1))));
    }

    [TestCase(0.8, 0, 1.0, 0.0)]
    [TestCase(1.0, 5, 1.0, 0.0)]
    [TestCase(0.7, 40, 0.9, 0.0)]
    [TestCase(1.0, 0, 1.0, 0.05)]
    public void Sampled_tokens_come_from_the_cpu_backends_distribution(double temperature, int topK, double topP, double minP)
    {
        var logits = RandomValues(2_000, 21, 5f);
        var sampling = new SamplingParams { Temperature = temperature, TopK = topK, TopP = topP, MinP = minP };
        var distribution = new float[logits.Length];
        Sampler.Distribution(logits, sampling, distribution);
        // The kernel draws once per call with the backend's uniform, walking the kept ids in id order: replaying the same
        // uniforms over the CPU backend's distribution must give the same tokens, except where u lands within rounding
        // of a boundary between two tokens' mass.
        var random = new Random(22);
        var replay = new Random(22);
        double total = distribution.Sum(p => (double)p);
        int draws = GpuDevice.IsEmulator ? 40 : 400; // the emulator spends ~0.1 s per 1,024-thread launch
        for (int i = 0; i < draws; i++)
        {
            int token = _gpu.Sample(logits, sampling, random);
            Assert.That(distribution[token], Is.GreaterThan(0f), $"token {token} is outside the kept set");
            double target = (float)replay.NextDouble() * total, running = 0, below = 0, above = 0;
            int expected = -1;
            for (int id = 0; id < distribution.Length && expected < 0; id++)
            {
                below = running;
                running += distribution[id];
                if (distribution[id] > 0 && target < running)
                {
                    expected = id;
                    above = running;
                }
            }
            if (token != expected)
                Assert.That(Math.Min(Math.Abs(target - below), Math.Abs(target - above)), Is.LessThan(1e-4 * total),
                    $"draw {i}: token {token}, expected {expected} (u far from the boundary)");
        }
    }
}
