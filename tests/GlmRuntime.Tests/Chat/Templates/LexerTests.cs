namespace GlmRuntime.Tests.Chat.Templates;

public class LexerTests
{
    [TestCase("a  {%- if true %}b{% endif -%}  c", "abc")]
    [TestCase("a \n {{- 'b' -}} \n c", "abc")]
    [TestCase("a {{ 'b' }} c", "a b c")]
    [TestCase("x {#- note -#} y", "xy")]
    [TestCase("x {# note #} y", "x  y")]
    public void MinusModifiersStripAllAdjacentWhitespace(string template, string expected) =>
        Assert.That(Jinja.Render(template), Is.EqualTo(expected));

    [Test]
    public void TrimBlocksRemovesTheNewlineAfterABlockTag() =>
        Assert.That(Jinja.Render("{% if true %}\nyes\n{% endif %}\nafter"), Is.EqualTo("yes\nafter"));

    [Test]
    public void TrimBlocksDoesNotApplyToVariableTags() =>
        Assert.That(Jinja.Render("{{ 'a' }}\nb"), Is.EqualTo("a\nb"));

    [Test]
    public void LstripBlocksRemovesIndentationBeforeBlockTags() =>
        Assert.That(Jinja.Render("<ul>\n    {% for i in [1, 2] %}\n    <li>{{ i }}</li>\n    {% endfor %}\n</ul>"),
            Is.EqualTo("<ul>\n    <li>1</li>\n    <li>2</li>\n</ul>"));

    [Test]
    public void LstripBlocksOnlyStripsWhenTheTagStartsTheLine() =>
        Assert.That(Jinja.Render("a {% if true %}b{% endif %}"), Is.EqualTo("a b"));

    [Test]
    public void LstripBlocksAppliesToComments() =>
        Assert.That(Jinja.Render("a\n   {# comment #}\nb"), Is.EqualTo("a\nb"));

    [Test]
    public void PlusModifiersDisableLstripAndTrim()
    {
        Assert.That(Jinja.Render("  {%+ if true %}x{% endif %}"), Is.EqualTo("  x"));
        Assert.That(Jinja.Render("{% if true +%}\nx{% endif %}"), Is.EqualTo("\nx"));
    }

    [Test]
    public void OneTrailingNewlineOfTheTemplateIsDropped()
    {
        Assert.That(Jinja.Render("x\n"), Is.EqualTo("x"));
        Assert.That(Jinja.Render("x\n\n"), Is.EqualTo("x\n"));
    }

    [Test]
    public void CarriageReturnNewlinesAreNormalised() =>
        Assert.That(Jinja.Render("a\r\n{% if true %}\r\nb\r\n{% endif %}\r\n"), Is.EqualTo("a\nb\n"));

    [Test]
    public void RawBlocksAreNotInterpreted() =>
        Assert.That(Jinja.Render("{% raw %}{{ x }}{% if %}{% endraw %}!"), Is.EqualTo("{{ x }}{% if %}!"));

    [Test]
    public void ClosingBracesInsideBracketsDoNotEndTheTag()
    {
        Assert.That(Jinja.Render("{{ {'a': 1}}}"), Is.EqualTo("{'a': 1}"));
        Assert.That(Jinja.Render("{% set d = {'k': {'x': 2}}%}{{ d.k.x }}"), Is.EqualTo("2"));
    }

    [TestCase(@"{{ 'a\nb' }}", "a\nb")]
    [TestCase(@"{{ ""it's"" }}", "it's")]
    [TestCase(@"{{ 'it\'s' }}", "it's")]
    [TestCase(@"{{ '\u00e9\x41\t|' }}", "éA\t|")]
    [TestCase(@"{{ '\U0001F600' }}", "😀")]
    [TestCase(@"{{ '\d' }}", @"\d")]
    [TestCase(@"{{ 'a' 'b' }}", "ab")]
    public void StringLiteralsUsePythonEscapes(string template, string expected) =>
        Assert.That(Jinja.Render(template), Is.EqualTo(expected));

    [TestCase("{{ 1_000 }}", "1000")]
    [TestCase("{{ 0x1F }}", "31")]
    [TestCase("{{ 1.5e3 }}", "1500.0")]
    [TestCase("{{ 2e-5 }}", "2e-05")]
    [TestCase("{{ [[1, 2]].0.1 }}", "2")]
    public void NumberLiterals(string template, string expected) =>
        Assert.That(Jinja.Render(template), Is.EqualTo(expected));

    [Test]
    public void UnterminatedConstructsNameTheirPosition()
    {
        Assert.That(Jinja.Fails("ok\n{{ 'abc }}").Message, Does.Contain("line 2, column 4").And.Contain("unterminated string"));
        Assert.That(Jinja.Fails("a {# never closed").Message, Does.Contain("line 1, column 3").And.Contain("unclosed comment"));
        Assert.That(Jinja.Fails("{{ x ").Message, Does.Contain("unclosed tag '{{'"));
        Assert.That(Jinja.Fails("{% if (x %}y{% endif %}").Message, Does.Contain("the '(' opened at line 1 is not closed"));
        Assert.That(Jinja.Fails("{{ [1, 2 ").Message, Does.Contain("unclosed '['"));
        Assert.That(Jinja.Fails("{{ x ] }}").Message, Does.Contain("unexpected ']'"));
        Assert.That(Jinja.Fails("{{ x $ y }}").Message, Does.Contain("unexpected character '$'"));
    }
}
