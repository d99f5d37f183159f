namespace GlmRuntime.Tests.Chat.Templates;

public class TemplateTestsTests
{
    private static string Check(string test, object? value) =>
        Jinja.Render("{{ v is " + test + " }}", new { v = value });

    [TestCase("defined", "x", "True")]
    [TestCase("undefined", "x", "False")]
    [TestCase("none", null, "True")]
    [TestCase("string", "x", "True")]
    [TestCase("string", 1, "False")]
    [TestCase("number", 1.5, "True")]
    [TestCase("number", true, "True")]
    [TestCase("integer", 3, "True")]
    [TestCase("integer", true, "False")]
    [TestCase("float", 3.5, "True")]
    [TestCase("boolean", false, "True")]
    [TestCase("true", true, "True")]
    [TestCase("false", 0, "False")]
    [TestCase("odd", 3, "True")]
    [TestCase("even", 3, "False")]
    [TestCase("divisibleby 3", 9, "True")]
    [TestCase("divisibleby(4)", 9, "False")]
    [TestCase("eq 2", 2, "True")]
    [TestCase("equalto 2", 3, "False")]
    [TestCase("ne 2", 3, "True")]
    [TestCase("lt 2", 1, "True")]
    [TestCase("gt 2", 1, "False")]
    [TestCase("ge 1", 1, "True")]
    [TestCase("le 0", 1, "False")]
    [TestCase("in [1, 2]", 2, "True")]
    [TestCase("in 'abc'", "bc", "True")]
    [TestCase("sameas none", null, "True")]
    [TestCase("lower", "abc", "True")]
    [TestCase("upper", "aBC", "False")]
    [TestCase("callable", "x", "False")]
    [TestCase("odd", 1.5, "False")]
    [TestCase("even", 2.0, "True")]
    [TestCase("divisibleby 3", -0.5, "False")]
    [TestCase("lower", 1.5e-7, "True")]
    [TestCase("upper", 12, "False")]
    public void ScalarTests(string test, object? value, string expected) =>
        Assert.That(Check(test, value), Is.EqualTo(expected));

    [Test]
    public void ContainerTests()
    {
        const string template = "{{ d is mapping }}{{ l is mapping }}{{ s is mapping }}|{{ d is iterable }}{{ l is iterable }}{{ s is iterable }}{{ n is iterable }}"
            + "|{{ l is sequence }}{{ s is sequence }}{{ n is sequence }}|{{ ns is mapping }}{{ range is callable }}";
        Assert.That(Jinja.Render("{% set ns = namespace() %}" + template, new { d = new { a = 1 }, l = new[] { 1 }, s = "x", n = 5 }),
            Is.EqualTo("TrueFalseFalse|TrueTrueTrueFalse|TrueTrueFalse|FalseTrue"));
    }

    [Test]
    public void NegatedTestsAndTestsInConditions()
    {
        Assert.That(Jinja.Render("{{ x is not none }}|{{ y is not defined }}|{{ 'a' if x is string else 'b' }}|{{ x is defined and x is string }}", new { x = "s" }),
            Is.EqualTo("True|True|a|True"));
        Assert.That(Jinja.Render("{% if not m.content is string %}list{% endif %}", new { m = new { content = new[] { 1 } } }), Is.EqualTo("list"));
    }

    [Test]
    public void TestsUsedBySelect() =>
        Assert.That(Jinja.Render("{{ xs | select('odd') | list }}|{{ xs | reject('divisibleby', 3) | list }}", new { xs = new[] { 1, 2, 3, 4, 5, 6 } }),
            Is.EqualTo("[1, 3, 5]|[1, 2, 4, 5]"));
}
