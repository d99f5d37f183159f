using GlmRuntime.Chat;
using GlmRuntime.Chat.Templates;

namespace GlmRuntime.Tests.Chat.Templates;

public class InterpreterTests
{
    [TestCase(1, "one")]
    [TestCase(2, "two")]
    [TestCase(3, "many")]
    public void IfElifElse(int n, string expected) =>
        Assert.That(Jinja.Render("{% if n == 1 %}one{% elif n == 2 %}two{% else %}many{% endif %}", new { n }), Is.EqualTo(expected));

    [Test]
    public void LoopVariables()
    {
        const string template = "{% for x in items %}[{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}"
            + "{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.previtem }}{{ loop.nextitem }}{{ loop.cycle('o', 'e') }}]{% endfor %}";
        Assert.That(Jinja.Render(template, new { items = new[] { "a", "b", "c" } }),
            Is.EqualTo("[1032TrueFalse3bo][2121FalseFalse3ace][3210FalseTrue3bo]"));
    }

    [Test]
    public void LoopFilterCountsOnlySelectedItems() =>
        Assert.That(Jinja.Render("{% for x in range(10) if x is odd %}{{ loop.index }}:{{ x }}{{ ',' if not loop.last }}{% endfor %}"),
            Is.EqualTo("1:1,2:3,3:5,4:7,5:9"));

    [Test]
    public void ForElseRunsWhenNothingIterated()
    {
        Assert.That(Jinja.Render("{% for x in [] %}x{% else %}empty{% endfor %}"), Is.EqualTo("empty"));
        Assert.That(Jinja.Render("{% for x in [1, 2] if x > 5 %}x{% else %}none matched{% endfor %}"), Is.EqualTo("none matched"));
        Assert.That(Jinja.Render("{% for x in missing %}x{% else %}undefined is empty{% endfor %}"), Is.EqualTo("undefined is empty"));
    }

    [Test]
    public void TupleUnpackingOverItems() =>
        Assert.That(Jinja.Render("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", new { d = new { b = 1, a = 2 } }), Is.EqualTo("b=1;a=2;"));

    [Test]
    public void ParenthesisedTupleTargetsAndSetUnpacking()
    {
        Assert.That(Jinja.Render("{% for (a, b) in [[1, 2], [3, 4]] %}{{ a + b }}{% endfor %}"), Is.EqualTo("37"));
        Assert.That(Jinja.Render("{% set a, b = 'xy' %}{{ b }}{{ a }}"), Is.EqualTo("yx"));
        Assert.That(Jinja.Fails("{% set a, b = [1, 2, 3] %}").Message, Does.Contain("too many values to unpack (expected 2)"));
    }

    [Test]
    public void IteratingDictsAndStrings()
    {
        Assert.That(Jinja.Render("{% for k in d %}{{ k }}{% endfor %}", new { d = new { x = 1, y = 2 } }), Is.EqualTo("xy"));
        Assert.That(Jinja.Render("{% for c in 'a😀b' %}[{{ c }}]{% endfor %}"), Is.EqualTo("[a][😀][b]"));
    }

    [Test]
    public void BreakAndContinue() =>
        Assert.That(Jinja.Render("{% for i in range(10) %}{% if i is even %}{% continue %}{% endif %}{% if i > 6 %}{% break %}{% endif %}{{ i }}{% endfor %}"),
            Is.EqualTo("135"));

    [Test]
    public void SetInsideALoopDoesNotLeakButNamespaceDoes()
    {
        const string template = "{% set count = 0 %}{% set ns = namespace(count=0, names=[]) %}"
            + "{% for m in messages %}{% set count = count + 1 %}{% set ns.count = ns.count + 1 %}{% do ns.names.append(m.role) %}{% endfor %}"
            + "{{ count }} {{ ns.count }} {{ ns.names | join(',') }}";
        Assert.That(Jinja.Render(template, new { messages = new[] { new { role = "user" }, new { role = "assistant" } } }), Is.EqualTo("0 2 user,assistant"));
    }

    [Test]
    public void NamespaceFromADictAndAssignmentToNonNamespaceFails()
    {
        Assert.That(Jinja.Render("{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a }}{{ ns.b }}{{ ns.c is defined }}"), Is.EqualTo("12False"));
        Assert.That(Jinja.Fails("{% set d = {} %}{% set d.x = 1 %}").Message, Does.Contain("not a namespace() object"));
    }

    [Test]
    public void EachLoopIterationStartsWithAFreshScope()
    {
        Assert.That(Jinja.Render("{% set x = 1 %}{% for i in [1, 2, 3] %}{{ x }}{% set x = x + 1 %}{{ x }},{% endfor %}{{ x }}"), Is.EqualTo("12,12,12,1"));
        Assert.That(Jinja.Render("{% for i in [1, 2, 3] %}[{{ y is defined }}]{% set y = i %}{% endfor %}"), Is.EqualTo("[False][False][False]"));
    }

    [Test]
    public void CapturedBlocksHaveTheirOwnScope()
    {
        Assert.That(Jinja.Render("{% set x = 'X' %}{% set b %}{% set x = 'Y' %}{{ x }}{% endset %}{{ b }}{{ x }}"), Is.EqualTo("YX"));
        Assert.That(Jinja.Render("{% set x = 'X' %}{% filter upper %}{% set x = 'y' %}{{ x }}{% endfilter %}{{ x }}"), Is.EqualTo("YX"));
        Assert.That(Jinja.Render("{% set b = 'outer' %}{% set b %}[{{ b }}]{% endset %}{{ b }}"), Is.EqualTo("[outer]"));
    }

    [Test]
    public void MacroAssignmentsStayInsideTheMacro() =>
        Assert.That(Jinja.Render("{% set x = 'X' %}{% macro m() %}{{ x }}{% set x = 'M' %}{{ x }}{% endmacro %}{{ m() }}{{ x }}"), Is.EqualTo("XMX"));

    [Test]
    public void SetAtTopLevelInsideIfIsVisibleAfterwards() =>
        Assert.That(Jinja.Render("{% if true %}{% set x = 'inner' %}{% endif %}{{ x }}"), Is.EqualTo("inner"));

    [Test]
    public void BlockSetCapturesRenderedText()
    {
        Assert.That(Jinja.Render("{% set greeting %}Hello {{ name }}!{% endset %}[{{ greeting }}]", new { name = "Ann" }), Is.EqualTo("[Hello Ann!]"));
        Assert.That(Jinja.Render("{% set shout | upper | trim %}  hi {% endset %}[{{ shout }}]"), Is.EqualTo("[HI]"));
    }

    [Test]
    public void MacrosWithDefaultsKeywordsAndExtras()
    {
        const string template = "{% macro tag(name, value='-', sep=': ') %}{{ name }}{{ sep }}{{ value }}{{ varargs | length }}{{ kwargs | length }}{% endmacro %}"
            + "{{ tag('a') }}|{{ tag('b', 2) }}|{{ tag('c', sep='=') }}|{{ tag('d', 1, ':', 'extra', flag=true) }}|{{ tag() }}";
        Assert.That(Jinja.Render(template), Is.EqualTo("a: -00|b: 200|c=-00|d:111|: -00"));
    }

    [Test]
    public void MacrosSeeGlobalsAndCanRecurse()
    {
        const string template = "{% macro render(v) %}{% if v is mapping %}{{ '{' }}{% for k, x in v.items() %}{{ k }}:{{ render(x) }}{% endfor %}{{ '}' }}"
            + "{% else %}{{ v ~ suffix }}{% endif %}{% endmacro %}{{ render(data) }}";
        Assert.That(Jinja.Render(template, new { suffix = "!", data = new { a = 1, b = new { c = 2 } } }), Is.EqualTo("{a:1!b:{c:2!}}"));
    }

    [Test]
    public void CallBlocksPassCaller()
    {
        Assert.That(Jinja.Render("{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}bold {{ x }}{% endcall %}", new { x = 1 }),
            Is.EqualTo("<b>bold 1</b>"));
        Assert.That(Jinja.Render("{% macro each(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}{% call(item) each([1, 2]) %}({{ item }}){% endcall %}"),
            Is.EqualTo("(1)(2)"));
    }

    [Test]
    public void FilterWithAndGenerationBlocks()
    {
        Assert.That(Jinja.Render("{% filter upper %}abc {{ 'd' }}{% endfilter %}"), Is.EqualTo("ABC D"));
        Assert.That(Jinja.Render("{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}{{ a is defined }}"), Is.EqualTo("3False"));
        Assert.That(Jinja.Render("x{% generation %}y{% endgeneration %}z"), Is.EqualTo("xyz"));
    }

    [Test]
    public void RaiseExceptionCarriesTheTemplateMessage()
    {
        var ex = Jinja.Fails("{% for m in messages %}\n{% if m.role not in ['user', 'assistant'] %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}",
            new { messages = new[] { new { role = "system" } } });
        Assert.That(ex.IsRaisedByTemplate, Is.True);
        Assert.That(ex.Reason, Is.EqualTo("Only user and assistant roles are supported!"));
        Assert.That(ex.Line, Is.EqualTo(2));
        Assert.That(ex.Message, Does.StartWith("line 2, column ").And.EndWith(": Only user and assistant roles are supported!"));
    }

    [Test]
    public void RuntimeErrorsNameTheirLine()
    {
        var ex = Jinja.Fails("ok\n{{ 'a' + 1 }}");
        Assert.That(ex.Line, Is.EqualTo(2));
        Assert.That(ex.IsRaisedByTemplate, Is.False);
        Assert.That(ex.Reason, Is.EqualTo("can only concatenate str (not \"int\") to str"));
    }

    [Test]
    public void IterationLimitStopsRunawayLoops()
    {
        var ex = Jinja.Fails("{% for i in range(1001) %}{% for j in range(1000) %}{% endfor %}{% endfor %}");
        Assert.That(ex.Message, Does.Contain("loop iteration limit exceeded (1000000"));
        Assert.That(Jinja.Fails("{{ range(2000000) | length }}").Message, Does.Contain("exceeds the iteration limit"));
    }

    [Test]
    public void UnboundedMacroRecursionFailsCleanly()
    {
        var ex = Jinja.Fails("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
        Assert.That(ex.Message, Does.Contain("macro 'f' is nested too deeply"));
    }

    [Test]
    public void DeepExpressionTreesFailCleanly()
    {
        string chain = "{{ " + string.Join(" + ", Enumerable.Repeat("1", 50_000)) + " }}";
        Assert.That(Jinja.Fails(chain).Message, Does.Contain("expression is nested too deeply"));
        Assert.That(Jinja.Render("{{ " + string.Join(" + ", Enumerable.Repeat("1", 500)) + " }}"), Is.EqualTo("500"));
    }

    [Test]
    public void OutputAndStringSizeLimits()
    {
        var limits = TemplateLimits.Default with { MaxOutputChars = 100 };
        Assert.That(Assert.Throws<ChatTemplateException>(() => Jinja.Render("{% for i in range(200) %}x{% endfor %}", limits))!.Message,
            Does.Contain("output size limit exceeded"));
        Assert.That(Assert.Throws<ChatTemplateException>(() => Jinja.Render("{% set ns = namespace(s='ab') %}{% for i in range(10) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}", limits))!.Message,
            Does.Contain("exceed 100"));
        Assert.That(Assert.Throws<ChatTemplateException>(() => Jinja.Render("{{ 'x' * 1000 }}", limits))!.Message, Does.Contain("exceed 100"));
    }
}
