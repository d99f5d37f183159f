namespace GlmRuntime.Tests.Chat.Templates;

public class ExpressionEvaluatorTests
{
    [TestCase("{{ 1 + 2 * 3 }}", "7")]
    [TestCase("{{ (1 + 2) * 3 }}", "9")]
    [TestCase("{{ 2 ** 3 ** 2 }}", "64")]
    [TestCase("{{ -2 ** 2 }}", "4")]
    [TestCase("{{ 10 / 4 }}", "2.5")]
    [TestCase("{{ 10 / 2 }}", "5.0")]
    [TestCase("{{ 7 // 2 }}|{{ -7 // 2 }}|{{ 7.5 // 2 }}", "3|-4|3.0")]
    [TestCase("{{ 7 % 3 }}|{{ -7 % 3 }}|{{ 7 % -3 }}|{{ 5.5 % 2 }}", "1|2|-2|1.5")]
    [TestCase("{{ 2 ** -1 }}|{{ 2 ** 0.5 }}", "0.5|1.4142135623730951")]
    [TestCase("{{ 0.1 + 0.2 }}", "0.30000000000000004")]
    [TestCase("{{ true + 1 }}", "2")]
    [TestCase("{{ 'ab' * 3 }}|{{ 2 * [0] }}", "ababab|[0, 0]")]
    [TestCase("{{ [1] + [2, 3] }}", "[1, 2, 3]")]
    [TestCase("{{ 'a' ~ 1 ~ none ~ true ~ missing }}", "a1NoneTrue")]
    [TestCase("{{ 'a' + 'b' }}", "ab")]
    public void Arithmetic(string template, string expected) =>
        Assert.That(Jinja.Render(template), Is.EqualTo(expected));

    [TestCase("{{ 'a' + 1 }}", "can only concatenate str (not \"int\") to str")]
    [TestCase("{{ 1 + 'a' }}", "unsupported operand type(s) for +: 'int' and 'str'")]
    [TestCase("{{ 1 / 0 }}", "division by zero")]
    [TestCase("{{ 1 // 0 }}", "integer division or modulo by zero")]
    [TestCase("{{ missing + 1 }}", "'missing' is undefined")]
    [TestCase("{{ 9223372036854775807 + 1 }}", "integer overflow in '+'")]
    [TestCase("{{ missing() }}", "'missing' is undefined")]
    [TestCase("{{ 'abc'() }}", "'str' object is not callable")]
    [TestCase("{{ 1 < 'a' }}", "'<' not supported between instances of 'int' and 'str'")]
    [TestCase("{{ 1 in 'abc' }}", "'in <string>' requires string as left operand, not int")]
    [TestCase("{{ 1 in none }}", "argument of type 'NoneType' is not iterable")]
    public void TypeErrorsAreReported(string template, string reason) =>
        Assert.That(Jinja.Fails(template).Reason, Is.EqualTo(reason));

    [TestCase("{{ not true or true }}", "True")]
    [TestCase("{{ not (true or true) }}", "False")]
    [TestCase("{{ 0 or 'x' }}|{{ 'a' and 'b' }}|{{ [] and 1 }}|{{ none or 0 }}", "x|b|[]|0")]
    [TestCase("{{ 1 < 2 < 3 }}|{{ 3 > 2 > 2 }}|{{ 1 == 1.0 }}|{{ 1 != 1 }}", "True|False|True|False")]
    [TestCase("{{ [1, 2] == [1, 2] }}|{{ {'a': 1} == {'a': 1} }}|{{ 'a' < 'b' }}|{{ [1, 2] < [1, 3] }}", "True|True|True|True")]
    [TestCase("{{ 'ell' in 'hello' }}|{{ 2 in [1, 2] }}|{{ 'k' in {'k': 1} }}|{{ 'z' not in 'abc' }}|{{ 'x' in missing }}", "True|True|True|True|False")]
    [TestCase("{{ 'yes' if 1 else 'no' }}|{{ 'yes' if 0 else 'no' }}|[{{ 'yes' if 0 }}]", "yes|no|[]")]
    [TestCase("{{ 'a' if false else 'b' if true else 'c' }}", "b")]
    [TestCase("{{ - 3 | abs }}", "3")]
    public void LogicComparisonsAndConditionals(string template, string expected) =>
        Assert.That(Jinja.Render(template), Is.EqualTo(expected));

    [TestCase("{{ none }}|{{ None }}|{{ true }}|{{ False }}", "None|None|True|False")]
    [TestCase("{{ [1, 'a', none, true, 1.5] }}", "[1, 'a', None, True, 1.5]")]
    [TestCase("{{ {'k': 'v', 'n': [1]} }}", "{'k': 'v', 'n': [1]}")]
    [TestCase("{{ (1,) }}|{{ (1, 2) }}|{{ () }}", "(1,)|(1, 2)|()")]
    [TestCase("{{ 1, 2 }}", "(1, 2)")]
    [TestCase("{{ [\"it's\"] }}|{{ ['a\\nb'] }}", "[\"it's\"]|['a\\nb']")]
    public void ValuesPrintLikePython(string template, string expected) =>
        Assert.That(Jinja.Render(template), Is.EqualTo(expected));

    [Test]
    public void UndefinedIsLenient()
    {
        Assert.That(Jinja.Render("[{{ missing }}][{{ missing.attr }}][{{ missing['k'].x }}][{{ missing is defined }}][{{ missing.attr is undefined }}]"),
            Is.EqualTo("[][][][False][True]"));
        Assert.That(Jinja.Render("{% if missing %}t{% else %}f{% endif %}{{ missing | length }}{{ missing == missing }}"), Is.EqualTo("f0True"));
    }

    [Test]
    public void AttributeAndItemLookupOrder()
    {
        var variables = new { d = new { items = "key named items", name = "n" } };
        Assert.That(Jinja.Render("{{ d['items'] }}|{{ d.name }}|{{ d['name'] }}|{{ d.items() | length }}|{{ d.missing is defined }}", variables),
            Is.EqualTo("key named items|n|n|2|False"));
    }

    [Test]
    public void MessagesAreAccessibleByAttributeOrKey() =>
        Assert.That(Jinja.Render("{{ messages[0].role }} {{ messages[0]['content'] }} {{ messages[-1].role }} {{ messages[5] is defined }}",
            new { messages = new[] { new { role = "user", content = "hi" }, new { role = "assistant", content = "yo" } } }),
            Is.EqualTo("user hi assistant False"));

    [TestCase("{{ xs[1:] }}", "[2, 3, 4]")]
    [TestCase("{{ xs[:-1] }}", "[1, 2, 3]")]
    [TestCase("{{ xs[::-1] }}", "[4, 3, 2, 1]")]
    [TestCase("{{ xs[::2] }}|{{ xs[1::2] }}", "[1, 3]|[2, 4]")]
    [TestCase("{{ xs[-2:] }}|{{ xs[10:] }}|{{ xs[3:1] }}", "[3, 4]|[]|[]")]
    [TestCase("{{ xs[3:0:-1] }}", "[4, 3, 2]")]
    [TestCase("{{ 'a😀bc'[::-1] }}|{{ 'a😀bc'[1] }}|{{ 'a😀bc'[:2] }}|{{ 'hello'[-3:] }}", "cb😀a|😀|a😀|llo")]
    [TestCase("{{ (1, 2, 3)[1:] }}", "(2, 3)")]
    public void Slices(string template, string expected) =>
        Assert.That(Jinja.Render(template, new { xs = new[] { 1, 2, 3, 4 } }), Is.EqualTo(expected));

    [TestCase("{{ n[1:] }}", "'int' object is not subscriptable")]
    [TestCase("{{ d[1:] }}", "unhashable type: 'slice'")]
    [TestCase("{{ missing[1:] }}", "'missing' is undefined")]
    public void SlicingANonSequenceFailsLikeJinja(string template, string reason) =>
        Assert.That(Jinja.Fails(template, new { n = 5, d = new { a = 1 } }).Reason, Is.EqualTo(reason));

    [TestCase("{{ 'a%sb' % 1 }}|{{ '%s-%s' % (1, 'x') }}|{{ 'plain' % [1] }}|{{ '%(k)s' % {'k': 'v'} }}", "a1b|1-x|plain|v")]
    public void PercentFormatting(string template, string expected) =>
        Assert.That(Jinja.Render(template), Is.EqualTo(expected));

    [Test]
    public void SliceStepZeroFails() =>
        Assert.That(Jinja.Fails("{{ [1][::0] }}").Reason, Is.EqualTo("slice step cannot be zero"));

    [Test]
    public void CallsWithKeywordArguments() =>
        Assert.That(Jinja.Render("{{ 'a,b,c'.split(',', maxsplit=1) }}|{{ dict(a=1, b=2) }}|{{ range(1, 10, 3) | list }}"),
            Is.EqualTo("['a', 'b,c']|{'a': 1, 'b': 2}|[1, 4, 7]"));
}
