using GlmRuntime.Tokenization;

namespace GlmRuntime.Tests.Tokenization;

public class AddedTokenMatcherTests
{
    private static List<(string Text, int Id)> Split(string text, params AddedToken[] tokens)
    {
        var matcher = new AddedTokenMatcher(tokens.Select(t => (t, t.Content)));
        var segments = new List<TextSegment>();
        matcher.Split(text, segments);
        return segments.Select(s => (text.Substring(s.Start, s.Length), s.TokenId)).ToList();
    }

    private static AddedToken Token(int id, string content, bool lstrip = false, bool rstrip = false, bool singleWord = false) =>
        new(id, content, Special: false, lstrip, rstrip, singleWord, Normalized: false);

    [Test]
    public void LongestMatchAtTheLeftmostPositionWins()
    {
        var result = Split("a<|user|><|u", Token(1, "<|"), Token(2, "<|user|>"), Token(3, "user"));
        Assert.That(result, Is.EqualTo(new[] { ("a", -1), ("<|user|>", 2), ("<|", 1), ("u", -1) }));
    }

    [Test]
    public void StripOptionsSwallowWhitespace()
    {
        // The Rust library's test_lstrip_unicode_space, without its lowercasing normaliser.
        var result = Split("Hi <mask> there\t<mask>\t<mask>\u2000", Token(0, "<mask>", lstrip: true, rstrip: true, singleWord: true));
        Assert.That(result, Is.EqualTo(new[] { ("Hi", -1), (" <mask> ", 0), ("there", -1), ("\t<mask>\t", 0), ("<mask>\u2000", 0) }));
    }

    [Test]
    public void SingleWordTokenIsNotCutOutOfWords()
    {
        // The Rust library's test_single_word_is_correct.
        var result = Split("<mask> My name <mask> A<mask> <mask>ony <mask>", Token(0, "<mask>", singleWord: true));
        Assert.That(result, Is.EqualTo(new[]
        {
            ("<mask>", 0), (" My name ", -1), ("<mask>", 0), (" A<mask> <mask>ony ", -1), ("<mask>", 0),
        }));
    }

    [Test]
    public void CombiningMarkCountsAsWordCharacter()
    {
        var result = Split("<mask>, <mask>- ◌̰<mask>", Token(0, "<mask>", singleWord: true));
        Assert.That(result, Is.EqualTo(new[] { ("<mask>", 0), (", ", -1), ("<mask>", 0), ("- ◌̰<mask>", -1) }));
    }
}
