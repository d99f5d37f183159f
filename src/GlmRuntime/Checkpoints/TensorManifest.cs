using GlmRuntime.Configuration;

namespace GlmRuntime.Checkpoints;

/// <summary>One tensor the architecture expects, with its logical (unquantized) shape.</summary>
/// <param name="Name">Checkpoint name.</param>
/// <param name="Shape">Logical shape.</param>
/// <param name="Role">What it is for.</param>
/// <param name="Layer">Decoder layer index (L for the MTP layer), or −1 for global tensors.</param>
public sealed record ManifestEntry(string Name, long[] Shape, TensorRole Role, int Layer)
{
    /// <summary>Logical element count.</summary>
    public long ParameterCount => TensorInfo.ElementCountOf(Shape);

    /// <summary>The module name (the tensor name without ".weight") of a Linear or Embedding.</summary>
    public string Module => Name.EndsWith(".weight", StringComparison.Ordinal) ? Name[..^".weight".Length] : Name;
}

/// <summary>
/// Every tensor name and shape of MODEL.md §2 for a config, in model order. For GLM-5 it yields 59,870
/// tensors and 753,864,139,008 parameters (the published total); the tiny config gives 153 and 298,584.
/// </summary>
public static class TensorManifest
{
    /// <summary>The expected tensors; optional MTP copies of embed/lm_head are not included.</summary>
    public static IEnumerable<ManifestEntry> Enumerate(GlmConfig c)
    {
        int d = c.HiddenSize;
        yield return new("model.embed_tokens.weight", [c.VocabSize, d], TensorRole.Embedding, -1);
        for (int i = 0; i < c.NumHiddenLayers; i++)
        {
            foreach (var e in Layer(c, i))
                yield return e;
        }
        yield return new("model.norm.weight", [d], TensorRole.NormWeight, -1);
        if (!c.TieWordEmbeddings)
            yield return new("lm_head.weight", [c.VocabSize, d], TensorRole.Linear, -1);
        if (c.NumNextnPredictLayers > 0)
        {
            int m = c.MtpLayerIndex;
            string p = $"model.layers.{m}.";
            foreach (var e in Layer(c, m))
                yield return e;
            yield return new(p + "enorm.weight", [d], TensorRole.NormWeight, m);
            yield return new(p + "hnorm.weight", [d], TensorRole.NormWeight, m);
            yield return new(p + "eh_proj.weight", [d, 2L * d], TensorRole.Linear, m);
            yield return new(p + "shared_head.norm.weight", [d], TensorRole.NormWeight, m);
        }
    }

    /// <summary>Parameters of the tensors that one token reads: all but the embedding, the MTP layer and the unchosen routed experts.</summary>
    public static long ActiveParametersPerToken(GlmConfig c)
    {
        long active = 0;
        foreach (var e in Enumerate(c))
        {
            if (e.Role == TensorRole.Embedding || e.Layer >= c.NumHiddenLayers)
                continue;
            active += e.ParameterCount;
        }
        long perExpert = 3L * c.MoeIntermediateSize * c.HiddenSize;
        int moeLayers = Enumerable.Range(0, c.NumHiddenLayers).Count(c.IsMoeLayer);
        return active - (long)moeLayers * (c.NRoutedExperts - c.NumExpertsPerTok) * perExpert;
    }

    private static IEnumerable<ManifestEntry> Layer(GlmConfig c, int i)
    {
        string p = $"model.layers.{i}.";
        int d = c.HiddenSize;
        ManifestEntry L(string name, long n, long k) => new(p + name + ".weight", [n, k], TensorRole.Linear, i);
        ManifestEntry N(string name, long n, TensorRole role = TensorRole.NormWeight) => new(p + name, [n], role, i);

        yield return N("input_layernorm.weight", d);
        yield return L("self_attn.q_a_proj", c.QLoraRank, d);
        yield return N("self_attn.q_a_layernorm.weight", c.QLoraRank);
        yield return L("self_attn.q_b_proj", (long)c.NumAttentionHeads * c.QkHeadDim, c.QLoraRank);
        yield return L("self_attn.kv_a_proj_with_mqa", c.KvLoraRank + c.QkRopeHeadDim, d);
        yield return N("self_attn.kv_a_layernorm.weight", c.KvLoraRank);
        yield return L("self_attn.kv_b_proj", (long)c.NumAttentionHeads * (c.QkNopeHeadDim + c.VHeadDim), c.KvLoraRank);
        yield return L("self_attn.o_proj", d, (long)c.NumAttentionHeads * c.VHeadDim);
        if (c.HasFullIndexer(i))
        {
            yield return L("self_attn.indexer.wq_b", (long)c.IndexNHeads * c.IndexHeadDim, c.QLoraRank);
            yield return L("self_attn.indexer.wk", c.IndexHeadDim, d);
            yield return N("self_attn.indexer.k_norm.weight", c.IndexHeadDim);
            yield return N("self_attn.indexer.k_norm.bias", c.IndexHeadDim, TensorRole.NormBias);
            yield return L("self_attn.indexer.weights_proj", c.IndexNHeads, d);
        }
        yield return N("post_attention_layernorm.weight", d);
        if (!c.IsMoeLayer(i))
        {
            yield return L("mlp.gate_proj", c.IntermediateSize, d);
            yield return L("mlp.up_proj", c.IntermediateSize, d);
            yield return L("mlp.down_proj", d, c.IntermediateSize);
            yield break;
        }
        yield return L("mlp.gate", c.NRoutedExperts, d);
        if (c.TopkMethod == "noaux_tc")
            yield return N("mlp.gate.e_score_correction_bias", c.NRoutedExperts, TensorRole.RouterBias);
        for (int e = 0; e < c.NRoutedExperts; e++)
        {
            yield return L($"mlp.experts.{e}.gate_proj", c.MoeIntermediateSize, d);
            yield return L($"mlp.experts.{e}.up_proj", c.MoeIntermediateSize, d);
            yield return L($"mlp.experts.{e}.down_proj", d, c.MoeIntermediateSize);
        }
        if (c.NSharedExperts > 0)
        {
            long width = (long)c.MoeIntermediateSize * c.NSharedExperts;
            yield return L("mlp.shared_experts.gate_proj", width, d);
            yield return L("mlp.shared_experts.up_proj", width, d);
            yield return L("mlp.shared_experts.down_proj", d, width);
        }
    }
}
