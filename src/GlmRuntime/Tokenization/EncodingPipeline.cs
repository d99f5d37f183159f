using GlmRuntime.Tokenization.Bpe;
using GlmRuntime.Tokenization.Normalizers;
using GlmRuntime.Tokenization.PreTokenizers;

namespace GlmRuntime.Tokenization;

/// <summary>
/// The encode path of the Rust library for one sequence, without post-processing:
/// <list type="number">
/// <item>cut raw-matched added tokens out of the text;</item>
/// <item>normalise each remaining slice, then cut normalised-matched added tokens out of it;</item>
/// <item>pre-tokenise each remaining slice into words;</item>
/// <item>BPE-encode each word.</item>
/// </list>
/// Slices are <see cref="ReadOnlyMemory{T}"/> views of the input, so text that no normaliser or
/// pre-tokeniser rewrites is never copied, and words go to the model as the pre-tokeniser finds them.
/// Thread-safe.
/// </summary>
internal sealed class EncodingPipeline(AddedVocabulary added, Normalizer? normalizer, PreTokenizer? preTokenizer, BpeModel model)
{
    private readonly bool _byteLevel = preTokenizer?.EndsWithByteLevel ?? false;

    /// <summary>Appends the ids of <paramref name="text"/> (valid UTF-16: no lone surrogates).</summary>
    public void Encode(ReadOnlyMemory<char> text, List<int> output)
    {
        var state = new State(model, _byteLevel, output);
        if (added.RawMatcher.IsEmpty)
        {
            EncodeNormalizable(text, atTextStart: true, state);
            return;
        }
        added.RawMatcher.Split(text.Span, state.Segments);
        foreach (TextSegment segment in state.Segments)
        {
            if (segment.IsToken)
                output.Add(segment.TokenId);
            else
                EncodeNormalizable(text.Slice(segment.Start, segment.Length), segment.Start == 0, state);
        }
    }

    private void EncodeNormalizable(ReadOnlyMemory<char> slice, bool atTextStart, State state)
    {
        if (normalizer is not null)
            slice = normalizer.Normalize(slice.ToString()).AsMemory();
        if (slice.IsEmpty)
            return;
        if (added.NormalizedMatcher.IsEmpty)
        {
            EncodeWords(slice, atTextStart, state);
            return;
        }
        state.NormalizedSegments.Clear();
        added.NormalizedMatcher.Split(slice.Span, state.NormalizedSegments);
        foreach (TextSegment segment in state.NormalizedSegments)
        {
            if (segment.IsToken)
                state.Output.Add(segment.TokenId);
            else
                EncodeWords(slice.Slice(segment.Start, segment.Length), atTextStart && segment.Start == 0, state);
        }
    }

    private void EncodeWords(ReadOnlyMemory<char> slice, bool atTextStart, State state)
    {
        if (preTokenizer is null)
            state.Accept(slice, atTextStart);
        else
            preTokenizer.Split(slice, atTextStart, state);
    }

    /// <summary>Working state of one Encode call; receives the words and encodes them.</summary>
    private sealed class State(BpeModel model, bool byteLevel, List<int> output) : IPieceSink
    {
        public readonly List<TextSegment> Segments = [];
        public readonly List<TextSegment> NormalizedSegments = [];

        public List<int> Output => output;

        public void Accept(ReadOnlyMemory<char> piece, bool atTextStart) => model.Encode(piece.Span, byteLevel, output);
    }
}
