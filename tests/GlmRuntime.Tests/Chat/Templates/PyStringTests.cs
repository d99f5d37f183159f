using GlmRuntime.Chat.Templates;

namespace GlmRuntime.Tests.Chat.Templates;

public class PyStringTests
{
    [Test]
    public void WhitespaceIncludesPythonSeparators()
    {
        Assert.That(PyString.IsWhitespace('\u001c'), Is.True);
        Assert.That(PyString.IsWhitespace('\u00a0'), Is.True);
        Assert.That(PyString.IsWhitespace('\u200b'), Is.False);
    }

    [Test]
    public void CodePointsKeepSurrogatePairsTogether()
    {
        Assert.That(PyString.CodePoints("a😀b"), Is.EqualTo(new[] { "a", "😀", "b" }));
        Assert.That(PyString.Length("a😀b"), Is.EqualTo(3));
    }

    [Test]
    public void SplitWithoutSeparatorMatchesPython()
    {
        Assert.That(PyString.Split("  a  b c ", null, -1), Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(PyString.Split("  a  b c ", null, 1), Is.EqualTo(new[] { "a", "b c " }));
        Assert.That(PyString.RSplit("  a  b c ", null, 1), Is.EqualTo(new[] { "  a  b", "c" }));
    }

    [Test]
    public void SplitWithSeparatorMatchesPython()
    {
        Assert.That(PyString.Split("a::b::", "::", -1), Is.EqualTo(new[] { "a", "b", "" }));
        Assert.That(PyString.RSplit("a::b::c", "::", 1), Is.EqualTo(new[] { "a::b", "c" }));
    }

    [Test]
    public void StripWithCharacterSet()
    {
        Assert.That(PyString.Strip("\n\n x \n", "\n", left: true, right: true), Is.EqualTo(" x "));
        Assert.That(PyString.Strip("😀a😀", "😀", left: true, right: false), Is.EqualTo("a😀"));
    }

    [Test]
    public void SplitLinesHandlesEveryPythonLineBreak() =>
        Assert.That(PyString.SplitLines("a\nb\r\nc\rd\u2028e\n"), Is.EqualTo(new[] { "a", "b", "c", "d", "e" }));

    [Test]
    public void TitleAndReplace()
    {
        Assert.That(PyString.Title("they're bill's 3rd-class"), Is.EqualTo("They'Re Bill'S 3Rd-Class"));
        Assert.That(PyString.JinjaTitle("they're bill's"), Is.EqualTo("They're Bill's"));
        Assert.That(PyString.Replace("aaaa", "a", "b", 2), Is.EqualTo("bbaa"));
    }
}
