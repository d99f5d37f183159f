using GlmRuntime.Compute;
using GlmRuntime.Compute.Cpu;
using GlmRuntime.Configuration;
using GlmRuntime.Kv;
using GlmRuntime.Model.Layers;
using GlmRuntime.Weights;

namespace GlmRuntime.Model;

/// <summary>
/// The GLM-5 forward pass (MODEL.md §3): h⁰ = Emb[tokens] → decoder layers → model.norm → lm_head, and the MTP
/// head on top (§4.1). Each call runs one chunk of one sequence at the positions that follow its cache and
/// appends the chunk to it, so a prompt can be prefilled whole or in pieces and decode is a chunk of one.
/// Not thread-safe: the engine drives it from one loop.
/// </summary>
internal sealed class GlmModel : IDisposable
{
    private readonly GlmWeights _weights;
    private readonly IComputeBackend _backend;
    private readonly DecoderLayer[] _layers;
    private readonly RmsNorm _finalNorm;
    private readonly MtpHead? _mtp;
    private readonly ForwardWorkspace _workspace = new();

    public GlmModel(GlmWeights weights, IComputeBackend backend, int? maxSequenceLength = null)
    {
        _weights = weights;
        _backend = backend;
        Config = weights.Config;
        _layers = weights.Layers.Select(l => new DecoderLayer(l, Config)).ToArray();
        _finalNorm = new RmsNorm(weights.FinalNorm, Config.RmsNormEps);
        _mtp = weights.Mtp is { } mtp ? new MtpHead(mtp, Config) : null;
        int modelLimit = Config.MaxPositionEmbeddings > 0 ? Config.MaxPositionEmbeddings : int.MaxValue;
        MaxSequenceLength = Math.Min(maxSequenceLength ?? modelLimit, modelLimit);
    }

    public GlmConfig Config { get; }

    public IComputeBackend Backend => _backend;

    /// <summary>The bound checkpoint weights.</summary>
    public GlmWeights Weights => _weights;

    public bool HasMtp => _mtp is not null;

    /// <summary>Longest sequence a <see cref="SequenceState"/> of this model may hold.</summary>
    public int MaxSequenceLength { get; }

    /// <summary>The main decoder layers, in model order.</summary>
    public IReadOnlyList<DecoderLayer> Layers => _layers;

    /// <summary>The MTP head, or null.</summary>
    public MtpHead? Mtp => _mtp;

    /// <summary>Loads a model folder on the managed CPU backend.</summary>
    public static GlmModel Load(string modelDirectory, IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default,
        int? threadCount = null, int? maxSequenceLength = null)
    {
        var weights = GlmWeights.Load(modelDirectory, progress, cancellationToken);
        return new GlmModel(weights, new CpuBackend(threadCount), maxSequenceLength);
    }

    /// <summary>Empty caches for one sequence.</summary>
    public SequenceState CreateSequence()
    {
        int latent = Config.KvLoraRank + Config.QkRopeHeadDim;
        var layers = _layers.Select(l => new LayerKvCache(latent, l.Attention.Indexer?.KeyDim ?? 0, MaxSequenceLength)).ToArray();
        var mtp = _mtp is null ? null : new LayerKvCache(latent, _mtp.Block.Attention.Indexer?.KeyDim ?? 0, MaxSequenceLength);
        return new SequenceState(layers, mtp);
    }

    /// <summary>
    /// Runs <paramref name="tokens"/> at positions sequence.Length.. and appends them to its caches. Returns the
    /// post-norm hidden states [T, d] and logits of every position or of the last only.
    /// </summary>
    /// <exception cref="ArgumentException">No tokens, or a token id outside the vocabulary.</exception>
    /// <exception cref="InvalidOperationException">The sequence would exceed <see cref="MaxSequenceLength"/>.</exception>
    public ForwardResult Forward(SequenceState sequence, ReadOnlySpan<int> tokens, bool allLogits = true,
        AttentionForm form = AttentionForm.Auto, ForwardTrace? trace = null)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        int count = tokens.Length, d = Config.HiddenSize;
        CheckChunk(tokens, sequence.Length);
        var context = new StepContext(_backend, _workspace, Positions(sequence.Length, count), form, trace);
        try
        {
            var hidden = new float[count * d];                                             // [T, d] residual stream
            _backend.Embed(_weights.Embedding, tokens, hidden);
            for (int i = 0; i < _layers.Length; i++)
                _layers[i].Forward(context, hidden, sequence.Layers[i]);
            _finalNorm.Apply(context, hidden, hidden);                                     // [T, d] h_final

            int rows = allLogits ? count : 1;
            var logits = new float[rows * Config.VocabSize];                               // [rows, V]
            _backend.MatMul(_weights.LmHead, hidden.AsSpan((count - rows) * d), rows, logits);
            return new ForwardResult(hidden, logits, count, rows);
        }
        catch
        {
            // A failed chunk must not leave some layers a chunk ahead of the others.
            sequence.Truncate(context.Positions[0]);
            throw;
        }
    }

    /// <summary>
    /// MTP draft logits [T, V] for slots sequence.MtpLength..: slot i pairs <paramref name="hidden"/> row i
    /// (post-norm target state, [T, d]) with the embedding of <paramref name="nextTokens"/>[i].
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has no MTP layer.</exception>
    public float[] ForwardMtp(SequenceState sequence, ReadOnlySpan<float> hidden, ReadOnlySpan<int> nextTokens, ForwardTrace? trace = null)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        if (_mtp is null || sequence.MtpLayer is null)
            throw new InvalidOperationException($"The model has no MTP layer (num_nextn_predict_layers is {Config.NumNextnPredictLayers}).");
        int count = nextTokens.Length, d = Config.HiddenSize;
        if (hidden.Length != count * d)
            throw new ArgumentException($"Hidden states hold {hidden.Length} values; {count} slots × {d} expected.", nameof(hidden));
        CheckChunk(nextTokens, sequence.MtpLength);
        var context = new StepContext(_backend, _workspace, Positions(sequence.MtpLength, count), AttentionForm.Auto, trace);
        try
        {
            var embedded = new float[count * d];                                           // [T, d]
            _backend.Embed(_mtp.Embedding ?? _weights.Embedding, nextTokens, embedded);
            var mtpHidden = new float[count * d];                                          // [T, d] shared_head.norm(z)
            _mtp.Forward(context, embedded, hidden, sequence.MtpLayer, mtpHidden);
            if (trace is not null)
                trace.MtpHidden = mtpHidden;
            var logits = new float[count * Config.VocabSize];                              // [T, V]
            _backend.MatMul(_mtp.Head ?? _weights.LmHead, mtpHidden, count, logits);
            return logits;
        }
        catch
        {
            sequence.TruncateMtp(context.Positions[0]);
            throw;
        }
    }

    public void Dispose() => _weights.Dispose();

    private void CheckChunk(ReadOnlySpan<int> tokens, int start)
    {
        if (tokens.IsEmpty)
            throw new ArgumentException("A forward needs at least one token.", nameof(tokens));
        for (int i = 0; i < tokens.Length; i++)
        {
            if ((uint)tokens[i] >= (uint)Config.VocabSize)
                throw new ArgumentException($"Token id {tokens[i]} at index {i} is outside the vocabulary (vocab_size {Config.VocabSize}).", nameof(tokens));
        }
        if (start + tokens.Length > MaxSequenceLength)
            throw new InvalidOperationException($"The sequence would reach {start + tokens.Length} tokens; the limit is {MaxSequenceLength}.");
    }

    private static int[] Positions(int start, int count)
    {
        var positions = new int[count];
        for (int i = 0; i < count; i++)
            positions[i] = start + i;
        return positions;
    }
}
