using GlmRuntime.Engine;
using GlmRuntime.Kv;
using GlmRuntime.Model;
using GlmRuntime.Sampling;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Engine;

/// <summary>
/// The MTP layer's paged cache, kept by the engine's runner step by step (slot i pairs hidden state i with token
/// i+1), equals a contiguous forward over the whole sequence, also after its first pages came from the prefix
/// cache, whose keys are (token, next token) pairs so MTP rows are only reused under the same next token.
/// </summary>
[TestFixture]
public sealed class MtpCacheTests
{
    private const int PageSize = 16;
    private GlmModel _model = null!;
    private KvCacheManager _kv = null!;
    private ModelRunner _runner = null!;
    private long _nextId;

    [OneTimeSetUp]
    public void Load()
    {
        _model = GlmModel.Load(SharedData.PathOf("models", "tiny-glm5"));
        var keyDims = _model.Layers.Select(l => l.Attention.Indexer?.KeyDim ?? 0).Append(_model.Mtp!.Block.Attention.Indexer?.KeyDim ?? 0).ToList();
        var layout = new KvPageLayout(PageSize, KvCacheDType.Float32, _model.Config.KvLoraRank + _model.Config.QkRopeHeadDim, keyDims);
        _kv = new KvCacheManager(layout, pageCount: 64, enablePrefixCache: true, pairKeys: true);
        _runner = new ModelRunner(_model, keepMtpCache: true, speculative: null, PageSize, verifyPool: _kv.Pool);
    }

    [OneTimeTearDown]
    public void Unload() => _model.Dispose();

    [Test]
    public void Chunked_paged_mtp_rows_and_reused_ones_equal_a_contiguous_forward()
    {
        var random = new Random(3);
        int[] a = Enumerable.Range(0, 100).Select(_ => random.Next(256)).ToArray();
        var first = Run(a, chunk: 24, out int cachedA);
        Assert.That(cachedA, Is.Zero);
        Assert.That(first.Sequence!.MtpLength, Is.EqualTo(a.Length - 1), "the last row waits for its next token");
        Assert.That(first.Sequence.MtpLayer!.Latent.ToArray(), Is.EqualTo(ContiguousMtpLatent(a)));
        Release(first);

        int[] b = [.. a.Take(85), .. Enumerable.Range(0, 20).Select(_ => random.Next(256))];
        var second = Run(b, chunk: 7, out int cachedB);
        Assert.That(cachedB, Is.EqualTo(80), "pairs agree up to position 83, so 5 whole pages");
        Assert.That(second.Sequence!.MtpLayer!.Latent.ToArray(), Is.EqualTo(ContiguousMtpLatent(b)));
        Release(second);
    }

    [Test]
    public void A_different_token_after_a_page_boundary_stops_reuse_one_page_early()
    {
        var random = new Random(4);
        int[] a = Enumerable.Range(0, 80).Select(_ => random.Next(256)).ToArray();
        Release(Run(a, chunk: 80, out _));
        int[] c = [.. a];
        c[64] = (a[64] + 1) % 256;   // pages 0-3 hold the same tokens, but MTP row 63 pairs with token 64
        var request = Run(c, chunk: 80, out int cached);
        Assert.That(cached, Is.EqualTo(48));
        Assert.That(request.Sequence!.MtpLayer!.Latent.ToArray(), Is.EqualTo(ContiguousMtpLatent(c)));
        Release(request);
        _kv.Pool.CheckAccounting();
    }

    private EngineRequest Run(int[] tokens, int chunk, out int cached)
    {
        var sampling = SamplingParams.Greedy;
        var request = new EngineRequest(++_nextId, tokens, sampling, 0, new RequestSampler(sampling, tokens, [], _model.Config.VocabSize), null, tokens.Length + 1);
        request.Kv = _kv.CreateSequence();
        cached = _kv.Admit(request.Kv, request.Tokens, tokens.Length);
        int layers = _model.Layers.Count;
        request.Sequence = new SequenceState(request.Kv.Slots[..layers], request.Kv.Slots[layers]);
        while (request.Sequence.Length < tokens.Length)
        {
            int count = Math.Min(chunk, tokens.Length - request.Sequence.Length);
            Assert.That(_kv.TryReserve(request.Kv, request.Sequence.Length + count), Is.True);
            _runner.Run([new StepWork(request, count)]);
        }
        return request;
    }

    private void Release(EngineRequest request)
    {
        var sequence = request.Sequence!;
        _kv.Free(request.Kv!, request.Tokens, Math.Min(sequence.Length, sequence.MtpLength), cache: true);
    }

    /// <summary>[T−1, r_kv + d_r]: the MTP latent rows of one whole-sequence forward on contiguous caches.</summary>
    private float[] ContiguousMtpLatent(int[] tokens)
    {
        var sequence = _model.CreateSequence();
        var result = _model.Forward(sequence, tokens, allLogits: false);
        int d = _model.Config.HiddenSize;
        _model.ForwardMtp(sequence, result.Hidden.AsSpan(0, (tokens.Length - 1) * d), tokens.AsSpan(1));
        return sequence.MtpLayer!.Latent.ToArray();
    }
}
