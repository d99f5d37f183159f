using System.Text;
using GlmRuntime.Tokenization.Text;

namespace GlmRuntime.Tokenization.Normalizers;

/// <summary>Replaces every occurrence of a literal string or an Oniguruma regex with fixed content.</summary>
internal sealed class ReplaceNormalizer : Normalizer
{
    private readonly string? _literal;
    private readonly CodePointRegex? _regex;
    private readonly string _content;

    /// <summary>Replaces the literal <paramref name="literal"/> or every match of <paramref name="regex"/> with <paramref name="content"/>.</summary>
    public ReplaceNormalizer(string? literal, CodePointRegex? regex, string content)
    {
        _literal = literal;
        _regex = regex;
        _content = content;
    }

    /// <inheritdoc />
    public override string Normalize(string text) => Replace(text, _literal, _regex, _content);

    /// <summary>Shared with the Replace decoder, whose semantics are the same.</summary>
    internal static string Replace(string text, string? literal, CodePointRegex? regex, string content)
    {
        if (literal is not null)
            return literal.Length == 0 ? text : text.Replace(literal, content, StringComparison.Ordinal);

        var builder = new StringBuilder(text.Length);
        int previous = 0;
        foreach ((int start, int length) in regex!.EnumerateMatches(text))
        {
            builder.Append(text, previous, start - previous).Append(content);
            previous = start + length;
        }
        return previous == 0 && builder.Length == 0 ? text : builder.Append(text, previous, text.Length - previous).ToString();
    }
}
