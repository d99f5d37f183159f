namespace GlmRuntime.Tests.Chat.Templates;

public class FiltersTests
{
    private static readonly object Tool = new
    {
        type = "function",
        function = new { name = "get_weather", description = "Météo — 天气 \"now\"", parameters = new { type = "object", properties = new { city = new { type = "string" } }, required = new[] { "city" } } },
    };

    [Test]
    public void ToJsonMatchesPythonJsonDumps() =>
        Assert.That(Jinja.Render("{{ tool | tojson }}", new { tool = Tool }), Is.EqualTo(
            "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Météo — 天气 \\\"now\\\"\", "
            + "\"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}}}"));

    [Test]
    public void ToJsonWithIndentMatchesPython() =>
        Assert.That(Jinja.Render("{{ v | tojson(indent=2) }}", new { v = new { a = new[] { 1, 2 }, b = new { }, c = Array.Empty<int>(), d = "x" } }),
            Is.EqualTo("{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {},\n  \"c\": [],\n  \"d\": \"x\"\n}"));

    [TestCase("{{ 'é\\n\"<>&' | tojson }}", "\"é\\n\\\"<>&\"")]
    [TestCase("{{ 'é😀' | tojson(ensure_ascii=true) }}", "\"\\u00e9\\ud83d\\ude00\"")]
    [TestCase("{{ {'b': 1, 'a': [true, none, 1.0, 2.5e-7]} | tojson }}", "{\"b\": 1, \"a\": [true, null, 1.0, 2.5e-07]}")]
    [TestCase("{{ {'b': 1, 'a': 2} | tojson(sort_keys=true) }}", "{\"a\": 2, \"b\": 1}")]
    [TestCase("{{ {'a': [1, 2]} | tojson(separators=(',', ':')) }}", "{\"a\":[1,2]}")]
    [TestCase("{{ {1: 'x'} | tojson }}", "{\"1\": \"x\"}")]
    public void ToJsonOptions(string template, string expected) =>
        Assert.That(Jinja.Render(template), Is.EqualTo(expected));

    [Test]
    public void ToJsonOfUndefinedFailsLikePython() =>
        Assert.That(Jinja.Fails("{{ missing | tojson }}").Reason, Is.EqualTo("Object of type Undefined is not JSON serializable"));

    [TestCase("{{ '  a b \\n' | trim }}|{{ 'xxaxx' | trim('x') }}", "a b|a")]
    [TestCase("{{ 'aBc' | lower }}{{ 'aBc' | upper }}", "abcABC")]
    [TestCase("{{ 'hello wORLD-foo(bar' | title }}|{{ 'hello wORLD' | capitalize }}", "Hello World-Foo(Bar|Hello world")]
    [TestCase("{{ 'aaa' | replace('a', 'b') }}|{{ 'aaa' | replace('a', 'b', 2) }}", "bbb|bba")]
    [TestCase("{{ 42 | string ~ 'x' }}|{{ none | string }}", "42x|None")]
    [TestCase("{{ '42' | int + 1 }}|{{ '4.7' | int }}|{{ 'x' | int }}|{{ 'x' | int(7) }}|{{ 3.9 | int }}|{{ '0x1A' | int(0, 16) }}", "43|4|0|7|3|26")]
    [TestCase("{{ '2.5' | float }}|{{ 3 | float }}|{{ 'x' | float }}|{{ 'x' | float(1.5) }}", "2.5|3.0|0.0|1.5")]
    [TestCase("{{ -3 | abs }}|{{ -2.5 | abs }}", "3|2.5")]
    [TestCase("{{ x | default('d') }}|{{ none | default('d') }}|{{ '' | default('d', true) }}|{{ x | d('short') }}", "d|None|d|short")]
    [TestCase("{{ 'a<b & \"c\"' | escape }}|{{ 'x' | e }}|{{ '<b>' | safe }}", "a&lt;b &amp; &#34;c&#34;|x|<b>")]
    [TestCase("{{ 2.5 | round }}|{{ 3.14159 | round(2) }}|{{ 3.1 | round(0, 'ceil') }}|{{ 3.9 | round(method='floor') }}|{{ 7 | round }}", "2.0|3.14|4.0|3.0|7")]
    [TestCase("{{ 'one two  three' | wordcount }}", "3")]
    [TestCase("{{ '%s is %d years, %.2f%%' | format('Ann', 30, 99.5) }}|{{ '%(a)s-%(b)s' | format(a=1, b=2) }}", "Ann is 30 years, 99.50%|1-2")]
    [TestCase("{{ 'hello world foo' | truncate(9, leeway=0) }}|{{ 'hello world' | truncate(9, true, '..', 0) }}", "hello...|hello w..")]
    [TestCase("{{ 'ab' | center(6) }}|", "  ab  |")]
    public void StringFilters(string template, string expected) =>
        Assert.That(Jinja.Render(template), Is.EqualTo(expected));

    [TestCase("{{ 'a\\nb\\n\\nc' | indent }}", "a\n    b\n\n    c")]
    [TestCase("{{ 'a\\nb' | indent(2, true) }}", "  a\n  b")]
    [TestCase("{{ 'a\\n\\nb\\n' | indent(2, blank=true) }}", "a\n  \n  b\n  ")]
    [TestCase("{{ 'a\\nb' | indent('> ') }}", "a\n> b")]
    public void Indent(string template, string expected) =>
        Assert.That(Jinja.Render(template), Is.EqualTo(expected));

    [Test]
    public void AttrFilterReadsAttributesNotKeys() =>
        Assert.That(Jinja.Render("{% set ns = namespace(x=5) %}{{ ns | attr('x') }}|{{ d | attr('k') is defined }}|{{ d | attr('items') is callable }}", new { d = new { k = 1 } }),
            Is.EqualTo("5|False|True"));

    [Test]
    public void FilterArgumentsAreChecked()
    {
        Assert.That(Jinja.Fails("{{ 'x' | trim('a', 'b') }}").Reason, Does.Contain("trim() takes at most 1 argument"));
        Assert.That(Jinja.Fails("{{ 'x' | tojson(bogus=1) }}").Reason, Does.Contain("unexpected keyword argument 'bogus'"));
        Assert.That(Jinja.Fails("{{ 7 | indent }}").Reason, Is.EqualTo("indent(): expected a string, not int"));
    }
}
