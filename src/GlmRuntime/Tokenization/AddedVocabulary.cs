using GlmRuntime.Tokenization.Normalizers;

namespace GlmRuntime.Tokenization;

/// <summary>
/// The added tokens of a tokenizer and the two matchers the Rust library splits with: tokens with
/// <c>normalized == false</c> are found in the raw text first, then tokens with <c>normalized == true</c>
/// are found (in their normalised form) in the normalised text that remains.
/// </summary>
internal sealed class AddedVocabulary
{
    private readonly Dictionary<int, AddedToken> _byId = new();
    private readonly Dictionary<string, AddedToken> _byContent = new(StringComparer.Ordinal);

    /// <summary>Builds the vocabulary; later duplicates of a content are ignored.</summary>
    public AddedVocabulary(IEnumerable<AddedToken> tokens, Normalizer? normalizer)
    {
        foreach (AddedToken token in tokens)
        {
            if (token.Content.Length == 0 || _byContent.ContainsKey(token.Content))
                continue;
            _byContent.Add(token.Content, token);
            _byId[token.Id] = token;
        }
        Tokens = _byId.Values.OrderBy(t => t.Id).ToArray();
        // Rust lists special tokens before the others; the order only matters when two patterns are equal.
        IEnumerable<AddedToken> ordered = Tokens.Where(t => t.Special).Concat(Tokens.Where(t => !t.Special));
        RawMatcher = new AddedTokenMatcher(ordered.Where(t => !t.Normalized).Select(t => (t, t.Content)));
        NormalizedMatcher = new AddedTokenMatcher(ordered.Where(t => t.Normalized)
            .Select(t => (t, normalizer is null ? t.Content : normalizer.Normalize(t.Content))));
        MaxId = Tokens.Count == 0 ? -1 : Tokens[^1].Id;
    }

    /// <summary>All added tokens, by ascending id.</summary>
    public IReadOnlyList<AddedToken> Tokens { get; }

    /// <summary>The largest added-token id, or -1 when there are none.</summary>
    public int MaxId { get; }

    /// <summary>Finds tokens with <c>normalized == false</c> in raw text.</summary>
    public AddedTokenMatcher RawMatcher { get; }

    /// <summary>Finds tokens with <c>normalized == true</c> in normalised text.</summary>
    public AddedTokenMatcher NormalizedMatcher { get; }

    /// <summary>Looks an added token up by id.</summary>
    public bool TryGet(int id, out AddedToken token) => _byId.TryGetValue(id, out token!);

    /// <summary>Looks an added token up by content.</summary>
    public bool TryGet(string content, out AddedToken token) => _byContent.TryGetValue(content, out token!);
}
