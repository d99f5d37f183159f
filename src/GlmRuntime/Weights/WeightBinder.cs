using GlmRuntime.Checkpoints;
using GlmRuntime.Configuration;
using GlmRuntime.Tensors;

namespace GlmRuntime.Weights;

/// <summary>
/// Binds every tensor of MODEL.md §2 by name. Missing tensors are collected and reported together in one
/// error; tensors nobody asked for become warnings; the optional MTP copies of embed/lm_head may be absent.
/// </summary>
internal sealed class WeightBinder
{
    private readonly Checkpoint _checkpoint;
    private readonly GlmConfig _config;
    private readonly IProgress<LoadProgress>? _progress;
    private readonly CancellationToken _cancellationToken;
    private readonly List<string> _missing = [];
    private readonly HashSet<string> _consumed = new(StringComparer.Ordinal);
    private readonly List<FormatDisagreement> _disagreements = [];
    private readonly long _totalBytes;
    private long _bytesDone;

    private WeightBinder(Checkpoint checkpoint, GlmConfig config, IProgress<LoadProgress>? progress, CancellationToken cancellationToken)
    {
        _checkpoint = checkpoint;
        _config = config;
        _progress = progress;
        _cancellationToken = cancellationToken;
        _totalBytes = checkpoint.TensorNames.Sum(n => checkpoint.GetInfo(n).ByteLength);
    }

    /// <summary>Binds the whole model; throws one <see cref="CheckpointException"/> listing every missing tensor.</summary>
    public static GlmWeights Bind(Checkpoint checkpoint, GlmConfig config, IProgress<LoadProgress>? progress, CancellationToken cancellationToken)
    {
        var b = new WeightBinder(checkpoint, config, progress, cancellationToken);
        int d = config.HiddenSize, v = config.VocabSize;

        LinearWeight? embedding = b.Linear("model.embed_tokens", v, d, isLinearModule: false);
        VectorWeight? finalNorm = b.Vector("model.norm.weight", d);
        var layers = new DecoderLayerWeights?[config.NumHiddenLayers];
        for (int i = 0; i < layers.Length; i++)
            layers[i] = b.Layer(i);
        LinearWeight? lmHead = config.TieWordEmbeddings && !checkpoint.Contains("lm_head.weight")
            ? embedding
            : b.Linear("lm_head", v, d);
        MtpWeights? mtp = config.NumNextnPredictLayers > 0 ? b.Mtp(config.MtpLayerIndex) : null;

        if (b._missing.Count > 0)
        {
            throw new CheckpointException(
                $"{b._missing.Count} tensor(s) required by the config are missing: {string.Join(", ", b._missing)}",
                checkpoint.Directory);
        }
        var warnings = checkpoint.TensorNames.Where(n => !b._consumed.Contains(n))
            .Select(n => $"unexpected tensor '{n}' was not bound to the model (ignored)").ToList();
        return new GlmWeights(config, checkpoint, embedding!, finalNorm!, lmHead!, layers!, mtp, b._disagreements, warnings);
    }

    private DecoderLayerWeights? Layer(int i)
    {
        string p = $"model.layers.{i}.";
        int d = _config.HiddenSize;
        VectorWeight? inputNorm = Vector(p + "input_layernorm.weight", d);
        VectorWeight? postNorm = Vector(p + "post_attention_layernorm.weight", d);
        AttentionWeights? attention = Attention(p + "self_attn.", i);
        MlpWeights? dense = null;
        MoeWeights? moe = null;
        if (_config.IsMoeLayer(i))
            moe = Moe(p + "mlp.");
        else
            dense = Mlp(p + "mlp.", _config.IntermediateSize);
        if (inputNorm is null || postNorm is null || attention is null || (dense is null && moe is null))
            return null;
        return new DecoderLayerWeights(i, inputNorm, postNorm, attention, dense, moe);
    }

    private AttentionWeights? Attention(string p, int layer)
    {
        var c = _config;
        int d = c.HiddenSize;
        var qa = Linear(p + "q_a_proj", c.QLoraRank, d);
        var qaNorm = Vector(p + "q_a_layernorm.weight", c.QLoraRank);
        var qb = Linear(p + "q_b_proj", c.NumAttentionHeads * c.QkHeadDim, c.QLoraRank);
        var kva = Linear(p + "kv_a_proj_with_mqa", c.KvLoraRank + c.QkRopeHeadDim, d);
        var kvaNorm = Vector(p + "kv_a_layernorm.weight", c.KvLoraRank);
        var kvb = Linear(p + "kv_b_proj", c.NumAttentionHeads * (c.QkNopeHeadDim + c.VHeadDim), c.KvLoraRank);
        var o = Linear(p + "o_proj", d, c.NumAttentionHeads * c.VHeadDim);
        IndexerWeights? indexer = null;
        bool indexerRequired = c.HasFullIndexer(layer);
        if (indexerRequired || _checkpoint.Contains(p + "indexer.wk.weight"))
        {
            string ip = p + "indexer.";
            var wqb = Linear(ip + "wq_b", c.IndexNHeads * c.IndexHeadDim, c.QLoraRank);
            var wk = Linear(ip + "wk", c.IndexHeadDim, d);
            var kNormW = Vector(ip + "k_norm.weight", c.IndexHeadDim);
            var kNormB = Vector(ip + "k_norm.bias", c.IndexHeadDim);
            var wp = Linear(ip + "weights_proj", c.IndexNHeads, d);
            if (wqb is null || wk is null || kNormW is null || kNormB is null || wp is null)
                return null;
            indexer = new IndexerWeights(wqb, wk, kNormW, kNormB, wp);
        }
        if (qa is null || qaNorm is null || qb is null || kva is null || kvaNorm is null || kvb is null || o is null)
            return null;
        return new AttentionWeights(qa, qaNorm, qb, kva, kvaNorm, kvb, o, indexer);
    }

    private MlpWeights? Mlp(string p, int width)
    {
        int d = _config.HiddenSize;
        var gate = Linear(p + "gate_proj", width, d);
        var up = Linear(p + "up_proj", width, d);
        var down = Linear(p + "down_proj", d, width);
        return gate is null || up is null || down is null ? null : new MlpWeights(gate, up, down);
    }

    private MoeWeights? Moe(string p)
    {
        var c = _config;
        var router = Linear(p + "gate", c.NRoutedExperts, c.HiddenSize);
        VectorWeight? bias = c.TopkMethod == "noaux_tc"
            ? Vector(p + "gate.e_score_correction_bias", c.NRoutedExperts)
            : OptionalVector(p + "gate.e_score_correction_bias", c.NRoutedExperts);
        var experts = new MlpWeights?[c.NRoutedExperts];
        for (int e = 0; e < experts.Length; e++)
            experts[e] = Mlp($"{p}experts.{e}.", c.MoeIntermediateSize);
        MlpWeights? shared = c.NSharedExperts > 0 ? Mlp(p + "shared_experts.", c.MoeIntermediateSize * c.NSharedExperts) : null;
        if (router is null || (c.TopkMethod == "noaux_tc" && bias is null) || experts.Any(x => x is null) || (c.NSharedExperts > 0 && shared is null))
            return null;
        return new MoeWeights(router, bias, experts!, shared);
    }

    private MtpWeights? Mtp(int index)
    {
        string p = $"model.layers.{index}.";
        int d = _config.HiddenSize, v = _config.VocabSize;
        var enorm = Vector(p + "enorm.weight", d);
        var hnorm = Vector(p + "hnorm.weight", d);
        var eh = Linear(p + "eh_proj", d, 2 * d);
        var headNorm = Vector(p + "shared_head.norm.weight", d);
        var block = Layer(index);
        // GLM-5 omits these copies and reuses model.embed_tokens / lm_head; DeepSeek checkpoints carry them.
        var embed = _checkpoint.Contains(p + "embed_tokens.weight") ? Linear(p + "embed_tokens", v, d, isLinearModule: false) : null;
        var head = _checkpoint.Contains(p + "shared_head.head.weight") ? Linear(p + "shared_head.head", v, d) : null;
        if (enorm is null || hnorm is null || eh is null || headNorm is null || block is null)
            return null;
        return new MtpWeights(enorm, hnorm, eh, headNorm, block, embed, head);
    }

    private LinearWeight? Linear(string module, int n, int k, bool isLinearModule = true)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        LinearWeight? weight = LinearWeightResolver.Resolve(_checkpoint, module, n, k, _config, isLinearModule, _disagreements);
        if (weight is null)
        {
            _missing.Add(module + ".weight");
            return null;
        }
        foreach (string name in weight.TensorNames)
            Consumed(name);
        return weight;
    }

    private VectorWeight? Vector(string name, int length)
    {
        VectorWeight? vector = OptionalVector(name, length);
        if (vector is null)
            _missing.Add(name);
        return vector;
    }

    private VectorWeight? OptionalVector(string name, int length)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        if (!_checkpoint.TryGet(name, out SafetensorsFile file, out TensorInfo info))
            return null;
        if (info.Shape.Length != 1 || info.Shape[0] != length)
            throw new CheckpointException($"has shape {info.ShapeText}, but the config implies [{length}]", file.Path, name);
        if (!DTypes.IsDenseFloat(info.DType))
            throw new CheckpointException($"dtype {DTypes.SafetensorsName(info.DType)} is not a float type; a norm or bias must be F32, BF16 or F16", file.Path, name);
        var values = new float[length];
        DTypes.ConvertToSingle(info.DType, file.GetBytes(info), values);
        Consumed(name);
        return new VectorWeight(name, values);
    }

    private void Consumed(string name)
    {
        if (!_consumed.Add(name))
            return;
        TensorInfo info = _checkpoint.GetInfo(name);
        _bytesDone += info.ByteLength;
        _progress?.Report(new LoadProgress(_consumed.Count, _checkpoint.TensorCount, _bytesDone, _totalBytes, name));
    }
}
