using System.Runtime.CompilerServices;
using GlmRuntime.Model;
using GlmRuntime.Tokenization;

namespace GlmRuntime.Engine;

/// <summary>
/// One request's step loop on one sequence: prefill the prompt, then forward → sample → detokenize → check stop
/// until eos, a stop id, MaxTokens or the context limit. Compute runs on the thread pool so the caller's
/// context never blocks; cancellation is checked between steps. The engine issue replaces this with the
/// batched scheduler loop behind the same updates.
/// </summary>
internal sealed class GenerationLoop(GlmModel model, GlmTokenizer? tokenizer, IReadOnlyList<int> eosTokenIds)
{
    public async IAsyncEnumerable<GenerationUpdate> RunAsync(IReadOnlyList<int> prompt, SamplingParams sampling,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (prompt.Count == 0)
            throw new ArgumentException("The prompt has no tokens.", nameof(prompt));
        if (prompt.Count >= model.MaxSequenceLength)
            throw new ArgumentException($"The prompt has {prompt.Count} tokens; the context limit is {model.MaxSequenceLength}.", nameof(prompt));

        var random = new Random(SeedOf(sampling.Seed));
        var detokenizer = tokenizer?.CreateStreamingDetokenizer(sampling.SkipSpecialTokens);
        var sequence = model.CreateSequence();
        int[] promptIds = [.. prompt];
        int vocab = model.Config.VocabSize;

        var step = await Task.Run(() => model.Forward(sequence, promptIds, allLogits: false), cancellationToken).ConfigureAwait(false);
        int generated = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int next = model.Backend.Sample(step.Logits.AsSpan(0, vocab), sampling, random);
            generated++;
            bool stop = sampling.StopTokenIds.Contains(next) || (!sampling.IgnoreEos && eosTokenIds.Contains(next));
            FinishReason? finish = stop ? FinishReason.Stop
                : generated >= sampling.MaxTokens || sequence.Length >= model.MaxSequenceLength ? FinishReason.Length
                : null;

            string text = "";
            if (detokenizer is not null)
            {
                if (!stop)
                    text = detokenizer.Append(next);
                if (finish is not null)
                    text += detokenizer.Flush();
            }
            var usage = finish is null ? null : new GenerationUsage(prompt.Count, generated);
            yield return new GenerationUpdate(text, [next], finish, usage);
            if (finish is not null)
                yield break;

            step = await Task.Run(() => model.Forward(sequence, [next], allLogits: false), cancellationToken).ConfigureAwait(false);
        }
    }

    private static int SeedOf(long? seed)
    {
        long value = seed ?? Random.Shared.NextInt64();
        return (int)(value ^ (value >>> 32));
    }
}
