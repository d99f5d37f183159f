using System.Numerics.Tensors;
using GlmRuntime.Compute;
using GlmRuntime.Compute.Cpu;
using GlmRuntime.Native.Tuning;
using GlmRuntime.Sampling;
using GlmRuntime.Weights;

namespace GlmRuntime.Native;

/// <summary>
/// The compute backend on one GPU through libglmrt (native/include/glmrt.h). Weights live on the device in their stored
/// form (<see cref="GpuWeights"/>); each call copies its float32 operands into a device scratch buffer, runs the
/// kernels on one stream and copies the result back, because <see cref="IComputeBackend"/> speaks host spans. The MoE
/// runs as grouped GEMMs (glmrt_moe_experts) with launch parameters from the <see cref="KernelConfigTable"/>; experts
/// the grouped kernels cannot take (f16/f32, widths not a multiple of 32) run expert by expert on the GEMM kernels.
/// Calls are serialized (one scratch buffer, one stream).
/// </summary>
internal sealed class GpuBackend : IComputeBackend, IDisposable
{
    private readonly DeviceHandle _device;
    private readonly StreamHandle _stream;
    private readonly GpuWeights _weights;
    private readonly DeviceScratch _scratch;
    private readonly Lock _gate = new();
    private readonly KernelConfigTable _configs;

    /// <summary>Opens device <paramref name="deviceIndex"/> and uploads <paramref name="weights"/>.</summary>
    /// <exception cref="DllNotFoundException">libglmrt cannot be loaded (the message lists every path tried).</exception>
    /// <exception cref="GlmGpuException">No such device, or the upload fails (out of device memory, ...).</exception>
    public GpuBackend(int deviceIndex, IEnumerable<LinearWeight> weights, KernelConfigTable? configs = null)
    {
        _configs = configs ?? KernelConfigTable.Load();
        _device = DeviceHandle.Create(deviceIndex);
        try
        {
            _stream = StreamHandle.Create(_device);
            _scratch = new DeviceScratch(_device, _stream);
            _weights = new GpuWeights(_device, _stream, weights);
            var info = GpuDiagnostics.Collect().GpuDevices.FirstOrDefault(d => d.Index == deviceIndex);
            Architecture = KernelConfigTable.NormalizeArchitecture(info?.Architecture ?? "unknown");
            Name = $"gpu [{deviceIndex}] {info?.Name} ({info?.Architecture})";
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; } = "gpu";

    /// <summary>The device architecture the kernel-config table is searched with ("sm_90", "gfx942").</summary>
    public string Architecture { get; } = "unknown";

    /// <summary>Device bytes held by the model's weights.</summary>
    public long WeightBytes => _weights.DeviceBytes;

    public void Embed(LinearWeight table, ReadOnlySpan<int> tokens, Span<float> destination)
    {
        int d = table.InFeatures;
        for (int t = 0; t < tokens.Length; t++)
        {
            if ((uint)tokens[t] >= (uint)table.OutFeatures)
                throw new ArgumentOutOfRangeException(nameof(tokens), tokens[t], $"Token id at index {t} is outside the vocabulary of {table.OutFeatures}.");
        }
        var matrix = _weights.Matrix(table);
        lock (_gate)
        {
            _scratch.Reset(DeviceScratch.SizeOf<int>(tokens.Length) + DeviceScratch.SizeOf<float>((long)tokens.Length * d));
            nint ids = _scratch.Put(tokens);
            nint output = _scratch.Take<float>((long)tokens.Length * d);
            Glmrt.Check(Glmrt.embedding_gather(_stream, matrix, ids, tokens.Length, output));
            _scratch.Get(output, destination[..(tokens.Length * d)]);
        }
    }

    public void MatMul(LinearWeight weight, ReadOnlySpan<float> input, int rows, Span<float> output)
    {
        int n = weight.OutFeatures, k = weight.InFeatures;
        if (input.Length < (long)rows * k || output.Length < (long)rows * n)
            throw new ArgumentException($"'{weight.Name}' [{n}, {k}] over {rows} rows needs {rows * k} inputs and {rows * n} outputs; got {input.Length} and {output.Length}.", nameof(input));
        var matrix = _weights.Matrix(weight);
        lock (_gate)
        {
            _scratch.Reset(DeviceScratch.SizeOf<float>((long)rows * k) + DeviceScratch.SizeOf<float>((long)rows * n));
            nint x = _scratch.Put(input[..(rows * k)]);
            nint y = _scratch.Take<float>((long)rows * n);
            Glmrt.Check(Glmrt.gemm(_stream, matrix, x, rows, y));
            _scratch.Get(y, output[..(rows * n)]);
        }
    }

    public void RmsNorm(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, float epsilon, Span<float> output)
    {
        int rows = NormKernels.CheckRows(input, output, weight.Length);
        lock (_gate)
        {
            _scratch.Reset(DeviceScratch.SizeOf<float>(input.Length) * 2 + DeviceScratch.SizeOf<float>(weight.Length));
            nint x = _scratch.Put(input[..(rows * weight.Length)]);
            nint w = _scratch.Put(weight);
            nint y = _scratch.Take<float>(input.Length);
            Glmrt.Check(Glmrt.rms_norm_f32(_stream, x, w, y, rows, weight.Length, epsilon));
            _scratch.Get(y, output[..(rows * weight.Length)]);
        }
    }

    public void LayerNorm(ReadOnlySpan<float> input, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float epsilon, Span<float> output)
    {
        if (beta.Length != gamma.Length)
            throw new ArgumentException($"LayerNorm bias has {beta.Length} values; weight has {gamma.Length}.", nameof(beta));
        int rows = NormKernels.CheckRows(input, output, gamma.Length);
        lock (_gate)
        {
            _scratch.Reset(DeviceScratch.SizeOf<float>(input.Length) * 2 + DeviceScratch.SizeOf<float>(gamma.Length) * 2);
            nint x = _scratch.Put(input[..(rows * gamma.Length)]);
            nint g = _scratch.Put(gamma);
            nint b = _scratch.Put(beta);
            nint y = _scratch.Take<float>(input.Length);
            Glmrt.Check(Glmrt.layer_norm_f32(_stream, x, g, b, y, rows, gamma.Length, epsilon));
            _scratch.Get(y, output[..(rows * gamma.Length)]);
        }
    }

    public void ApplyRope(Span<float> data, int heads, int headStride, int offset, ReadOnlySpan<int> positions, RotaryTable table)
    {
        int rows = positions.Length, count = rows * heads * headStride;
        if (offset + table.RotaryDim > headStride)
            throw new ArgumentException($"Rotary slice [{offset}, {offset + table.RotaryDim}) does not fit a head of {headStride}.", nameof(offset));
        if (data.Length < count)
            throw new ArgumentException($"Data holds {data.Length} values; {rows} rows of {heads * headStride} expected.", nameof(data));
        var p = new GlmrtRopeParams
        {
            Heads = heads, HeadStride = headStride, Offset = offset, RotaryDim = table.RotaryDim,
            Interleaved = table.Interleaved ? 1 : 0, AttentionFactor = table.AttentionFactor,
        };
        lock (_gate)
        {
            _scratch.Reset(DeviceScratch.SizeOf<float>(count) + DeviceScratch.SizeOf<int>(rows) + DeviceScratch.SizeOf<float>(table.InverseFrequencies.Length));
            nint x = _scratch.Put<float>(data[..count]);
            nint at = _scratch.Put(positions);
            nint frequencies = _scratch.Put<float>(table.InverseFrequencies);
            Glmrt.Check(Glmrt.rope_f32(_stream, x, rows, at, frequencies, p));
            _scratch.Get(x, data[..count]);
        }
    }

    public void SiluMul(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> destination)
    {
        if (up.Length != gate.Length || destination.Length < gate.Length)
            throw new ArgumentException($"SwiGLU operands differ in length ({gate.Length}, {up.Length}, {destination.Length}).", nameof(up));
        lock (_gate)
        {
            _scratch.Reset(DeviceScratch.SizeOf<float>(gate.Length) * 3);
            nint g = _scratch.Put(gate);
            nint u = _scratch.Put(up);
            nint y = _scratch.Take<float>(gate.Length);
            Glmrt.Check(Glmrt.swiglu_f32(_stream, g, u, y, gate.Length));
            _scratch.Get(y, destination[..gate.Length]);
        }
    }

    public void MlaAbsorbQuery(LinearWeight kvB, MlaShape shape, ReadOnlySpan<float> query, Span<float> absorbed)
    {
        int tokens = query.Length / (shape.Heads * shape.QkHeadDim);
        var p = new GlmrtHeadProjection
        {
            Heads = shape.Heads, RowsPerHead = shape.KvBRowsPerHead, RowOffset = 0, Inner = shape.NopeDim,
            XStride = shape.QkHeadDim, OutStride = shape.LatentDim,
        };
        Project(kvB, p, query[..(tokens * shape.Heads * shape.QkHeadDim)], tokens, absorbed, tokens * shape.Heads * shape.LatentDim, absorb: true);
    }

    public void MlaExpandValues(LinearWeight kvB, MlaShape shape, ReadOnlySpan<float> latentOutput, Span<float> output)
    {
        int tokens = latentOutput.Length / (shape.Heads * shape.KvRank);
        var p = new GlmrtHeadProjection
        {
            Heads = shape.Heads, RowsPerHead = shape.KvBRowsPerHead, RowOffset = shape.NopeDim, Inner = shape.ValueDim,
            XStride = shape.KvRank, OutStride = shape.ValueDim,
        };
        Project(kvB, p, latentOutput[..(tokens * shape.Heads * shape.KvRank)], tokens, output, tokens * shape.Heads * shape.ValueDim, absorb: false);
    }

    private void Project(LinearWeight kvB, GlmrtHeadProjection p, ReadOnlySpan<float> input, int tokens, Span<float> output, int outputCount, bool absorb)
    {
        if (output.Length < outputCount)
            throw new ArgumentException($"Output holds {output.Length} values; {outputCount} expected.", nameof(output));
        var matrix = _weights.Matrix(kvB);
        lock (_gate)
        {
            _scratch.Reset(DeviceScratch.SizeOf<float>(input.Length) + DeviceScratch.SizeOf<float>(outputCount));
            nint x = _scratch.Put(input);
            nint y = _scratch.Take<float>(outputCount);
            Glmrt.Check(absorb
                ? Glmrt.mla_absorb_query(_stream, matrix, p, x, tokens, y)
                : Glmrt.mla_expand_values(_stream, matrix, p, x, tokens, y));
            _scratch.Get(y, output[..outputCount]);
        }
    }

    public void MlaAttentionAbsorbed(MlaShape shape, ReadOnlySpan<float> absorbedQuery, ReadOnlySpan<float> latentCache, AttentionMask mask, Span<float> latentOutput)
    {
        int tokens = mask.QueryCount;
        CheckLength(absorbedQuery, tokens * shape.Heads * shape.LatentDim, nameof(absorbedQuery));
        CheckLength(latentOutput, tokens * shape.Heads * shape.KvRank, nameof(latentOutput));
        Attend(shape, absorbedQuery, default, latentCache, mask, latentOutput, tokens * shape.Heads * shape.KvRank, expanded: false);
    }

    public void MlaAttentionExpanded(MlaShape shape, ReadOnlySpan<float> query, ReadOnlySpan<float> expandedKv, ReadOnlySpan<float> latentCache, AttentionMask mask, Span<float> output)
    {
        int tokens = mask.QueryCount, cached = latentCache.Length / shape.LatentDim;
        CheckLength(query, tokens * shape.Heads * shape.QkHeadDim, nameof(query));
        CheckLength(expandedKv, cached * shape.Heads * shape.KvBRowsPerHead, nameof(expandedKv));
        CheckLength(output, tokens * shape.Heads * shape.ValueDim, nameof(output));
        Attend(shape, query, expandedKv, latentCache, mask, output, tokens * shape.Heads * shape.ValueDim, expanded: true);
    }

    private void Attend(MlaShape shape, ReadOnlySpan<float> query, ReadOnlySpan<float> expandedKv, ReadOnlySpan<float> latentCache,
        AttentionMask mask, Span<float> output, int outputCount, bool expanded)
    {
        int tokens = mask.QueryCount, cached = latentCache.Length / shape.LatentDim;
        for (int t = 0; t < tokens; t++)
        {
            if ((uint)mask.QueryPositions[t] >= (uint)cached)
                throw new ArgumentException($"Query {t} sits at position {mask.QueryPositions[t]}, outside the {cached} cached tokens.", nameof(mask));
        }
        if (tokens == 0)
            return;
        // The backend receives one contiguous cache, which is a single page covering every position.
        var p = new GlmrtMlaAttentionParams
        {
            Heads = shape.Heads, KvRank = shape.KvRank, RopeDim = shape.RopeDim, NopeDim = shape.NopeDim, ValueDim = shape.ValueDim,
            PageSize = Math.Max(1, cached), CachedCount = cached, SelectedPerQuery = mask.SelectedPerQuery, Scale = shape.Scale,
        };
        ReadOnlySpan<int> pageTable = [0];
        lock (_gate)
        {
            _scratch.Reset(DeviceScratch.SizeOf<float>(query.Length) + DeviceScratch.SizeOf<float>(expandedKv.Length)
                + DeviceScratch.SizeOf<float>(latentCache.Length) + DeviceScratch.SizeOf<int>(1) + DeviceScratch.SizeOf<int>(tokens)
                + DeviceScratch.SizeOf<int>(mask.Selected.Length) + DeviceScratch.SizeOf<float>(outputCount));
            nint q = _scratch.Put(query);
            nint kv = expanded ? _scratch.Put(expandedKv) : 0;
            nint pool = _scratch.Put(latentCache[..(cached * shape.LatentDim)]);
            nint pages = _scratch.Put(pageTable);
            nint positions = _scratch.Put(mask.QueryPositions);
            nint selected = mask.IsSparse ? _scratch.Put(mask.Selected) : 0;
            nint y = _scratch.Take<float>(outputCount);
            Glmrt.Check(expanded
                ? Glmrt.mla_attention_expanded_f32(_stream, p, q, kv, pool, pages, positions, selected, tokens, y)
                : Glmrt.sparse_mla_decode_f32(_stream, p, q, pool, pages, positions, selected, tokens, y));
            _scratch.Get(y, output[..outputCount]);
        }
    }

    public void IndexerTopK(ReadOnlySpan<float> query, ReadOnlySpan<float> headWeights, ReadOnlySpan<float> keys, int heads, int headDim,
        ReadOnlySpan<int> positions, int topK, Span<int> selected)
    {
        int tokens = positions.Length, cached = keys.Length / headDim;
        if (query.Length < tokens * heads * headDim || headWeights.Length < tokens * heads)
            throw new ArgumentException($"Indexer inputs do not cover {tokens} queries of {heads} × {headDim}.", nameof(query));
        if (selected.Length < tokens * topK)
            throw new ArgumentException($"Selection holds {selected.Length} entries; {tokens} × {topK} expected.", nameof(selected));
        for (int t = 0; t < tokens; t++)
        {
            if ((uint)positions[t] >= (uint)cached)
                throw new ArgumentException($"Query {t} sits at position {positions[t]}, outside the {cached} indexed keys.", nameof(positions));
        }
        if (tokens == 0)
            return;
        ReadOnlySpan<int> pageTable = [0]; // one contiguous page of every key
        lock (_gate)
        {
            _scratch.Reset(DeviceScratch.SizeOf<float>(tokens * heads * headDim) + DeviceScratch.SizeOf<float>(tokens * heads)
                + DeviceScratch.SizeOf<float>(cached * headDim) + DeviceScratch.SizeOf<int>(1) + DeviceScratch.SizeOf<int>(tokens)
                + DeviceScratch.SizeOf<float>((long)tokens * cached) + DeviceScratch.SizeOf<int>(tokens * topK));
            nint q = _scratch.Put(query[..(tokens * heads * headDim)]);
            nint w = _scratch.Put(headWeights[..(tokens * heads)]);
            nint k = _scratch.Put(keys[..(cached * headDim)]);
            nint pages = _scratch.Put(pageTable);
            nint at = _scratch.Put(positions);
            nint scores = _scratch.Take<float>((long)tokens * cached);
            nint chosen = _scratch.Take<int>(tokens * topK);
            Glmrt.Check(Glmrt.indexer_topk_f32(_stream, q, w, k, pages, Math.Max(1, cached), tokens, heads, headDim, cached, at, topK, scores, chosen));
            _scratch.Get(chosen, selected[..(tokens * topK)]);
        }
    }

    public void Route(ReadOnlySpan<float> routerLogits, ReadOnlySpan<float> correctionBias, RoutingSettings settings, Span<int> experts, Span<float> weights)
    {
        int e = settings.ExpertCount, k = settings.ExpertsPerToken, tokens = routerLogits.Length / e;
        if (experts.Length < tokens * k || weights.Length < tokens * k)
            throw new ArgumentException($"Routing outputs must hold {tokens} × {k} entries.", nameof(experts));
        if (!correctionBias.IsEmpty && correctionBias.Length != e)
            throw new ArgumentException($"Correction bias has {correctionBias.Length} values; the router has {e} experts.", nameof(correctionBias));
        var p = new GlmrtRouterParams
        {
            ExpertCount = e, ExpertsPerToken = k, GroupCount = settings.GroupCount, GroupsKept = settings.GroupsKept,
            NormalizeTopK = settings.NormalizeTopK ? 1 : 0, SoftmaxScoring = settings.SoftmaxScoring ? 1 : 0, ScalingFactor = settings.ScalingFactor,
        };
        lock (_gate)
        {
            _scratch.Reset(DeviceScratch.SizeOf<float>(tokens * e) + DeviceScratch.SizeOf<float>(e) + DeviceScratch.SizeOf<int>(tokens * k) * 2);
            nint logits = _scratch.Put(routerLogits[..(tokens * e)]);
            nint bias = correctionBias.IsEmpty ? 0 : _scratch.Put(correctionBias);
            nint chosen = _scratch.Take<int>(tokens * k);
            nint gates = _scratch.Take<float>(tokens * k);
            Glmrt.Check(Glmrt.router_topk_f32(_stream, logits, bias, tokens, p, chosen, gates));
            _scratch.Get(chosen, experts[..(tokens * k)]);
            _scratch.Get(gates, weights[..(tokens * k)]);
        }
    }

    public void MoeExperts(IReadOnlyList<MlpWeights> experts, ReadOnlySpan<float> input, ReadOnlySpan<int> chosen, ReadOnlySpan<float> weights,
        int expertsPerToken, Span<float> output)
    {
        int tokens = chosen.Length / expertsPerToken;
        int d = input.Length / Math.Max(1, tokens);
        for (int i = 0; i < tokens * expertsPerToken; i++)
        {
            if ((uint)chosen[i] >= (uint)experts.Count)
                throw new ArgumentOutOfRangeException(nameof(chosen), chosen[i], $"Token {i / expertsPerToken} routes to expert {chosen[i]}; the layer has {experts.Count}.");
        }
        if (tokens == 0)
            return;
        if (_weights.Experts(experts) is { } table)
            RunGrouped(table, input[..(tokens * d)], chosen[..(tokens * expertsPerToken)], weights[..(tokens * expertsPerToken)], tokens, expertsPerToken, output[..(tokens * d)]);
        else
            RunExpertByExpert(experts, input, chosen, weights, expertsPerToken, output);
    }

    /// <summary>The launch parameters of the grouped MoE for <paramref name="tokens"/> tokens (a table miss is reported).</summary>
    private GlmrtMoeParams MoeParams(ExpertTable table, int tokens, int expertsPerToken) =>
        table.Params(expertsPerToken, _configs.Moe(Architecture, table.Shape(expertsPerToken), tokens, expertsPerToken, table.ExpertCount));

    private unsafe void RunGrouped(ExpertTable table, ReadOnlySpan<float> input, ReadOnlySpan<int> chosen, ReadOnlySpan<float> weights,
        int tokens, int expertsPerToken, Span<float> output)
    {
        var p = MoeParams(table, tokens, expertsPerToken);
        ulong workspace;
        Glmrt.Check(Glmrt.moe_workspace_size(p, tokens, &workspace));
        lock (_gate)
        {
            _scratch.Reset(DeviceScratch.SizeOf<float>(input.Length) * 2 + DeviceScratch.SizeOf<int>(chosen.Length) + DeviceScratch.SizeOf<float>(weights.Length)
                + DeviceScratch.SizeOf<byte>((long)workspace));
            nint x = _scratch.Put(input);
            nint ids = _scratch.Put(chosen);
            nint gates = _scratch.Put(weights);
            nint y = _scratch.Take<float>(input.Length);
            nint space = _scratch.Take<byte>((long)workspace);
            Glmrt.Check(Glmrt.moe_experts(_stream, p, table.Table, x, ids, gates, tokens, space, workspace, y));
            _scratch.Get(y, output);
        }
    }

    private void RunExpertByExpert(IReadOnlyList<MlpWeights> experts, ReadOnlySpan<float> input, ReadOnlySpan<int> chosen, ReadOnlySpan<float> weights,
        int expertsPerToken, Span<float> output)
    {
        int tokens = chosen.Length / expertsPerToken;
        int d = input.Length / Math.Max(1, tokens);
        output[..(tokens * d)].Clear();
        // Per active expert, in expert order: gather its tokens, gate/up GEMMs, SwiGLU, down GEMM on the device, then the
        // weighted sum on the host in the same order as the managed reference.
        var byExpert = ExpertAssignments.Group(chosen, weights, expertsPerToken, experts.Count);
        for (int e = 0; e < experts.Count; e++)
        {
            if (byExpert[e] is not { } assigned)
                continue;
            var mlp = experts[e];
            int n = assigned.Count, width = mlp.Gate.OutFeatures;
            var gathered = new float[n * d];
            for (int i = 0; i < n; i++)
                input.Slice(assigned[i].Token * d, d).CopyTo(gathered.AsSpan(i * d, d));
            var down = new float[n * d];
            RunExpert(mlp, gathered, n, width, down);
            for (int i = 0; i < n; i++)
            {
                var y = output.Slice(assigned[i].Token * d, d);
                TensorPrimitives.MultiplyAdd(down.AsSpan(i * d, d), assigned[i].Weight, y, y);
            }
        }
    }

    private void RunExpert(MlpWeights mlp, float[] gathered, int n, int width, float[] down)
    {
        int d = mlp.Gate.InFeatures;
        var gate = _weights.Matrix(mlp.Gate);
        var up = _weights.Matrix(mlp.Up);
        var projection = _weights.Matrix(mlp.Down);
        lock (_gate)
        {
            _scratch.Reset(DeviceScratch.SizeOf<float>(n * d) * 2 + DeviceScratch.SizeOf<float>(n * width) * 2);
            nint x = _scratch.Put<float>(gathered);
            nint g = _scratch.Take<float>(n * width);
            nint u = _scratch.Take<float>(n * width);
            nint y = _scratch.Take<float>(n * d);
            Glmrt.Check(Glmrt.gemm(_stream, gate, x, n, g));
            Glmrt.Check(Glmrt.gemm(_stream, up, x, n, u));
            Glmrt.Check(Glmrt.swiglu_f32(_stream, g, u, g, (long)n * width));
            Glmrt.Check(Glmrt.gemm(_stream, projection, g, n, y));
            _scratch.Get<float>(y, down);
        }
    }

    public int Sample(ReadOnlySpan<float> logits, SamplingParams sampling, Random random)
    {
        if (logits.IsEmpty)
            throw new ArgumentException("No logits to sample from.", nameof(logits));
        var p = new GlmrtSamplingParams
        {
            Temperature = (float)sampling.Temperature, TopK = sampling.TopK, TopP = (float)sampling.TopP, MinP = (float)sampling.MinP,
        };
        bool greedy = sampling.Temperature == 0 || sampling.TopK == 1;
        ReadOnlySpan<float> uniform = [greedy ? 0f : (float)random.NextDouble()];
        Span<int> token = stackalloc int[1];
        lock (_gate)
        {
            _scratch.Reset(DeviceScratch.SizeOf<float>(logits.Length) * 2 + DeviceScratch.SizeOf<float>(1) + DeviceScratch.SizeOf<int>(1));
            nint l = _scratch.Put(logits);
            nint u = _scratch.Put(uniform);
            nint scratch = _scratch.Take<float>(logits.Length);
            nint id = _scratch.Take<int>(1);
            Glmrt.Check(Glmrt.sample_f32(_stream, l, 1, logits.Length, p, u, scratch, id));
            _scratch.Get(id, token);
        }
        return token[0];
    }

    private static void CheckLength(ReadOnlySpan<float> span, int expected, string name)
    {
        if (span.Length < expected)
            throw new ArgumentException($"{name} holds {span.Length} values; {expected} expected.", name);
    }

    public void Dispose()
    {
        _scratch?.Dispose();
        _weights?.Dispose();
        _stream?.Dispose();
        _device?.Dispose();
    }
}
