using System.Buffers;
using GlmRuntime.Checkpoints;
using GlmRuntime.Compute;
using GlmRuntime.Compute.Cpu;
using GlmRuntime.Configuration;
using GlmRuntime.Kv;
using GlmRuntime.Model.Layers;
using GlmRuntime.Native;
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

    /// <summary>Loads a model folder on the managed CPU backend, or on the GPU when <paramref name="device"/> asks for it.</summary>
    public static GlmModel Load(string modelDirectory, IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default,
        int? threadCount = null, int? maxSequenceLength = null, CpuActivationPrecision activations = CpuActivationPrecision.Float32,
        ComputeDevice device = ComputeDevice.Cpu, int gpuDeviceIndex = 0, string? kernelConfigFile = null)
    {
        // The CPU kernels read weights in place and want them on cache lines; the GPU copies them to the device, so the
        // host keeps the (reclaimable) mapping.
        var weights = GlmWeights.Load(modelDirectory, progress, cancellationToken,
            device == ComputeDevice.Cpu ? SafetensorsDataPlacement.CacheLineAligned : SafetensorsDataPlacement.Mapped);
        try
        {
            var backend = ComputeBackendFactory.Create(weights, device, gpuDeviceIndex, threadCount, activations, kernelConfigFile);
            return new GlmModel(weights, backend, maxSequenceLength);
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    /// <summary>Empty caches for one sequence.</summary>
    public SequenceState CreateSequence()
    {
        int latent = Config.KvLoraRank + Config.QkRopeHeadDim;
        var layers = _layers.Select(l => new LayerKvCache(latent, l.Attention.Indexer?.KeyDim ?? 0, MaxSequenceLength)).ToArray();
        LayerKvCache? mtp = _mtp is null ? null : new LayerKvCache(latent, _mtp.Block.Attention.Indexer?.KeyDim ?? 0, MaxSequenceLength);
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
        if (tokens.IsEmpty)
            throw new ArgumentException("A forward needs at least one token.", nameof(tokens));
        return Forward(ForwardBatch.Single(sequence, tokens, sequence.Length, form, allLogits ? tokens.Length : 1), trace);
    }

    /// <summary>
    /// One forward over a ragged batch: every segment's tokens run at the positions that follow its sequence's
    /// caches and are appended to them. Returns the post-norm hidden states [T, d] and the logit rows the segments
    /// asked for, in segment order. On failure every segment's caches are rolled back.
    /// </summary>
    /// <exception cref="ArgumentException">A token id outside the vocabulary.</exception>
    /// <exception cref="InvalidOperationException">A sequence would exceed <see cref="MaxSequenceLength"/>.</exception>
    public ForwardResult Forward(ForwardBatch batch, ForwardTrace? trace = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int count = batch.TokenCount, d = Config.HiddenSize;
        CheckBatch(batch, mtp: false);
        var context = new StepContext(_backend, _workspace, batch, trace);
        try
        {
            var hidden = new float[count * d];                                             // [T, d] residual stream
            _backend.Embed(_weights.Embedding, batch.Tokens, hidden);
            for (int i = 0; i < _layers.Length; i++)
                _layers[i].Forward(context, hidden);
            _finalNorm.Apply(context, hidden, hidden);                                     // [T, d] h_final
            var logits = Logits(batch, hidden, _weights.LmHead);                           // [rows, V]
            return new ForwardResult(hidden, logits, count, batch.LogitRowCount);
        }
        catch
        {
            // A failed step must not leave some layers a chunk ahead of the others.
            foreach (var segment in batch.Segments)
                segment.Sequence.Truncate(batch.Positions[segment.Offset]);
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
        if (nextTokens.IsEmpty)
            throw new ArgumentException("A forward needs at least one token.", nameof(nextTokens));
        return ForwardMtp(ForwardBatch.Single(sequence, nextTokens, sequence.MtpLength, AttentionForm.Auto, nextTokens.Length), hidden, trace: trace).Logits;
    }

    /// <summary>
    /// The MTP layer over a ragged batch: row r pairs <paramref name="hidden"/> row r (post-norm target state,
    /// [T, d]) with the embedding of batch token r, at the segment's MTP slots. Returns the logit rows asked for
    /// and the MTP's output rows, which a recursive draft step feeds back as its next hidden state.
    /// </summary>
    /// <param name="batch">Tokens (the next tokens of the slots), positions and segments.</param>
    /// <param name="hidden">[T, d] the states the slots pair with the tokens.</param>
    /// <param name="preNormOutput">Return z before shared_head.norm as <see cref="MtpForwardResult.Output"/>
    /// (vLLM's recursion) instead of after it (sglang's).</param>
    /// <param name="trace">Optional recorder.</param>
    /// <exception cref="InvalidOperationException">The model has no MTP layer.</exception>
    public MtpForwardResult ForwardMtp(ForwardBatch batch, ReadOnlySpan<float> hidden, bool preNormOutput = false, ForwardTrace? trace = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (_mtp is null)
            throw new InvalidOperationException($"The model has no MTP layer (num_nextn_predict_layers is {Config.NumNextnPredictLayers}).");
        int count = batch.TokenCount, d = Config.HiddenSize;
        if (hidden.Length != count * d)
            throw new ArgumentException($"Hidden states hold {hidden.Length} values; {count} slots × {d} expected.", nameof(hidden));
        CheckBatch(batch, mtp: true);
        var context = new StepContext(_backend, _workspace, batch, trace);
        try
        {
            var embedded = new float[count * d];                                           // [T, d]
            _backend.Embed(_mtp.Embedding ?? _weights.Embedding, batch.Tokens, embedded);
            var mtpHidden = new float[count * d];                                          // [T, d] shared_head.norm(z)
            var preNorm = preNormOutput ? new float[count * d] : null;                     // [T, d] z
            _mtp.Forward(context, embedded, hidden, mtpHidden, preNorm);
            if (context.Trace is { } t)
                t.MtpHidden = mtpHidden;
            var logits = Logits(batch, mtpHidden, _mtp.Head ?? _weights.LmHead);           // [rows, V]
            return new MtpForwardResult(logits, preNorm ?? mtpHidden);
        }
        catch
        {
            foreach (var segment in batch.Segments)
                segment.Sequence.TruncateMtp(batch.Positions[segment.Offset]);
            throw;
        }
    }

    /// <summary>
    /// lm_head over the rows each segment asked for: [LogitRowCount, V], in one product, so a decode step of many
    /// sequences reads the head once rather than once per sequence (the rows are gathered first unless every row of
    /// the batch is asked for).
    /// </summary>
    private float[] Logits(ForwardBatch batch, float[] hidden, Weights.LinearWeight head)
    {
        int d = Config.HiddenSize, rows = batch.LogitRowCount;
        var logits = new float[rows * Config.VocabSize];
        if (rows == 0)
            return logits;
        if (rows == batch.TokenCount)
        {
            _backend.MatMul(head, hidden.AsSpan(0, rows * d), rows, logits);
            return logits;
        }
        float[] gathered = ArrayPool<float>.Shared.Rent(rows * d);
        try
        {
            int row = 0;
            foreach (var segment in batch.Segments)
            {
                int first = segment.Offset + segment.Count - segment.LogitRows;
                hidden.AsSpan(first * d, segment.LogitRows * d).CopyTo(gathered.AsSpan(row * d));
                row += segment.LogitRows;
            }
            _backend.MatMul(head, gathered.AsSpan(0, rows * d), rows, logits);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(gathered);
        }
        return logits;
    }

    public void Dispose()
    {
        (_backend as IDisposable)?.Dispose();
        _weights.Dispose();
    }

    private void CheckBatch(ForwardBatch batch, bool mtp)
    {
        if (batch.TokenCount == 0)
            throw new ArgumentException("A forward needs at least one token.", nameof(batch));
        var tokens = batch.Tokens;
        for (int i = 0; i < tokens.Length; i++)
        {
            if ((uint)tokens[i] >= (uint)Config.VocabSize)
                throw new ArgumentException($"Token id {tokens[i]} at index {i} is outside the vocabulary (vocab_size {Config.VocabSize}).", nameof(batch));
        }
        foreach (var segment in batch.Segments)
        {
            int start = mtp ? segment.Sequence.MtpLength : segment.Sequence.Length;
            for (int i = 0; i < segment.Count; i++)
            {
                if (batch.Positions[segment.Offset + i] != start + i)
                    throw new ArgumentException($"Segment at row {segment.Offset} must run at positions {start}.., after its cache.", nameof(batch));
            }
            if (start + segment.Count > MaxSequenceLength)
                throw new InvalidOperationException($"The sequence would reach {start + segment.Count} tokens; the limit is {MaxSequenceLength}.");
            if (mtp && segment.Sequence.MtpLayer is null)
                throw new InvalidOperationException("The sequence keeps no MTP cache.");
        }
    }
}
