namespace GlmRuntime.Tests.Chat.Templates;

public class CollectionMethodsTests
{
    [TestCase("{{ d.items() | list }}|{{ d.keys() | list }}|{{ d.values() | list }}", "[('a', 1), ('b', 2)]|['a', 'b']|[1, 2]")]
    [TestCase("{{ d.get('a') }}|{{ d.get('z') }}|{{ d.get('z', 'dflt') }}", "1|None|dflt")]
    [TestCase("{% set e = d.copy() %}{{ e.pop('a') }}{{ e.pop('z', '-') }}{{ e }}{{ d | length }}", "1-{'b': 2}2")]
    [TestCase("{% set e = {} %}{% do e.update(d) %}{% do e.update(c=3) %}{{ e }}|{{ e.setdefault('a', 9) }}{{ e.setdefault('n', 9) }}", "{'a': 1, 'b': 2, 'c': 3}|19")]
    [TestCase("{% set l = [1] %}{% do l.append(2) %}{% do l.extend([3, 4]) %}{% do l.insert(0, 0) %}{{ l }}|{{ l.pop() }}{{ l.pop(0) }}{{ l }}", "[0, 1, 2, 3, 4]|40[1, 2, 3]")]
    [TestCase("{{ [1, 2, 2].index(2) }}|{{ [1, 2, 2].count(2) }}|{{ (1, 2).index(2) }}", "1|2|1")]
    [TestCase("{% set l = [3, 1] %}{% do l.reverse() %}{% do l.remove(3) %}{{ l }}", "[1]")]
    public void DictAndListMethods(string template, string expected) =>
        Assert.That(Jinja.Render(template, new { d = new { a = 1, b = 2 } }), Is.EqualTo(expected));

    [Test]
    public void MethodErrors()
    {
        Assert.That(Jinja.Fails("{{ [].pop() }}").Reason, Is.EqualTo("pop from empty list"));
        Assert.That(Jinja.Fails("{{ {}.pop('k') }}").Reason, Is.EqualTo("KeyError: 'k'"));
        Assert.That(Jinja.Fails("{{ {}.get() }}").Reason, Does.Contain("missing required argument 'key'"));
        Assert.That(Jinja.Fails("{{ (1,).append(2) }}").Reason, Is.EqualTo("'tuple object' has no attribute 'append'"));
    }
}
