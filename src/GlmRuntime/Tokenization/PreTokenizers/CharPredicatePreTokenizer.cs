using System.Globalization;
using System.Text;

namespace GlmRuntime.Tokenization.PreTokenizers;

/// <summary>
/// Splits where single code points satisfy a predicate, each such code point being one delimiter:
/// Digits, WhitespaceSplit, Punctuation and CharDelimiterSplit are all this shape in the Rust library.
/// </summary>
internal sealed class CharPredicatePreTokenizer(Func<Rune, bool> isDelimiter, SplitBehavior behavior) : PreTokenizer
{
    /// <summary>Rust's <c>char::is_numeric</c>: general categories Nd, Nl and No.</summary>
    public static bool IsNumeric(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;

    /// <summary>The Rust Punctuation pre-tokeniser's test: ASCII punctuation or general category P.</summary>
    public static bool IsPunctuation(Rune rune) =>
        rune.Value is (>= 0x21 and <= 0x2F) or (>= 0x3A and <= 0x40) or (>= 0x5B and <= 0x60) or (>= 0x7B and <= 0x7E)
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;

    /// <inheritdoc />
    public override void Split(ReadOnlyMemory<char> piece, bool atTextStart, IPieceSink output)
    {
        var folder = new SplitFolder(piece, atTextStart, output, behavior, invert: false);
        ReadOnlySpan<char> span = piece.Span;
        int previous = 0;
        int index = 0;
        while (index < span.Length)
        {
            Rune.DecodeFromUtf16(span[index..], out Rune rune, out int consumed);
            if (isDelimiter(rune))
            {
                if (index > previous)
                    folder.Add(previous, index, false);
                folder.Add(index, index + consumed, true);
                previous = index + consumed;
            }
            index += consumed;
        }
        if (span.Length > previous)
            folder.Add(previous, span.Length, false);
        folder.Finish();
    }
}
