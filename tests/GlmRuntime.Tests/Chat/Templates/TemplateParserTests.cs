using GlmRuntime.Chat;

namespace GlmRuntime.Tests.Chat.Templates;

public class TemplateParserTests
{
    private static ChatTemplateException ParseFails(string template, string? name = null) =>
        Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse(template, name))!;

    [Test]
    public void UnknownFilterNamesLineAndFilter()
    {
        var ex = ParseFails("line one\nline two\n  {{ name | foo }}");
        Assert.That(ex.Line, Is.EqualTo(3));
        Assert.That(ex.Column, Is.EqualTo(13));
        Assert.That(ex.Message, Is.EqualTo("line 3, column 13: unknown filter 'foo'"));
    }

    [Test]
    public void UnknownTestNamesTheTest() =>
        Assert.That(ParseFails("{% if x is frobbed %}{% endif %}").Message, Does.Contain("unknown test 'frobbed'"));

    [Test]
    public void UnclosedBlockIsReportedAtItsOpeningTag()
    {
        var ex = ParseFails("a\nb\nc\nd\ne\nf\n{% for m in messages %}\n{{ m }}\n");
        Assert.That(ex.Line, Is.EqualTo(7));
        Assert.That(ex.Message, Does.StartWith("line 7, column 4: unclosed 'for' block").And.Contain("'endfor'"));
    }

    [Test]
    public void UnclosedInnerBlockIsTheOneReported()
    {
        var ex = ParseFails("{% for m in messages %}\n  {% if m %}\n{% endfor %}");
        Assert.That(ex.Line, Is.EqualTo(3));
        Assert.That(ex.Message, Does.Contain("unexpected 'endfor'").And.Contain("'if' from line 2"));
    }

    [TestCase("{{ 1 + }}", "unexpected '}}' (expected an expression)")]
    [TestCase("{% if x y %}{% endif %}", "unexpected 'y' in 'if' tag")]
    [TestCase("{{ a b }}", "unexpected 'b' (expected '}}')")]
    [TestCase("{% for in x %}{% endfor %}", "unexpected 'x'")]
    [TestCase("{% for a b %}{% endfor %}", "expected 'in'")]
    [TestCase("{{ f(a=1, 2) }}", "positional argument follows keyword argument")]
    [TestCase("{% %}", "expected a tag name")]
    public void UnexpectedTokensAreReported(string template, string message) =>
        Assert.That(ParseFails(template).Message, Does.Contain(message));

    [TestCase("{% frobnicate %}", "unknown tag 'frobnicate'")]
    [TestCase("{% include 'x.j2' %}", "unsupported tag 'include'")]
    [TestCase("{% endif %}", "unexpected 'endif' (no block is open)")]
    [TestCase("{% else %}", "unexpected 'else'")]
    [TestCase("{% break %}", "'break' outside of a 'for' loop")]
    [TestCase("{% for x in y %}{% macro m() %}{% continue %}{% endmacro %}{% endfor %}", "'continue' outside of a 'for' loop")]
    [TestCase("{% for x in y recursive %}{% endfor %}", "recursive 'for' loops are not supported")]
    [TestCase("{% macro m(a=1, b) %}{% endmacro %}", "parameter 'b' without a default")]
    public void BadTagsAreReported(string template, string message) =>
        Assert.That(ParseFails(template).Message, Does.Contain(message));

    [Test]
    public void TemplateNamePrefixesTheMessage()
    {
        var ex = ParseFails("{{ x | nope }}", "glm-5");
        Assert.That(ex.TemplateName, Is.EqualTo("glm-5"));
        Assert.That(ex.Message, Is.EqualTo("glm-5: line 1, column 8: unknown filter 'nope'"));
    }

    [Test]
    public void DeepBlockNestingFailsCleanly()
    {
        string template = string.Concat(Enumerable.Repeat("{% if true %}", 500)) + "x" + string.Concat(Enumerable.Repeat("{% endif %}", 500));
        Assert.That(ParseFails(template).Message, Does.Contain("nesting is too deep"));
    }

    [Test]
    public void DeepExpressionNestingFailsCleanly()
    {
        Assert.That(ParseFails("{{ " + new string('(', 10_000) + "1" + new string(')', 10_000) + " }}").Message, Does.Contain("nesting is too deep"));
        Assert.That(ParseFails("{{ " + string.Concat(Enumerable.Repeat("not ", 10_000)) + "x }}").Message, Does.Contain("nesting is too deep"));
        Assert.That(ParseFails("{{ " + new string('[', 10_000) + new string(']', 10_000) + " }}").Message, Does.Contain("nesting is too deep"));
    }

    [Test]
    public void ModeratelyNestedTemplatesParse()
    {
        string template = string.Concat(Enumerable.Repeat("{% if true %}", 50)) + "x" + string.Concat(Enumerable.Repeat("{% endif %}", 50));
        Assert.That(Jinja.Render(template), Is.EqualTo("x"));
    }
}
