namespace GlmRuntime.Tests.Chat.Templates;

public class CollectionFiltersTests
{
    private static readonly object People = new
    {
        people = new object[]
        {
            new { name = "bob", age = 30, tags = new[] { "x" }, admin = true },
            new { name = "Alice", age = 25, tags = Array.Empty<string>(), admin = false },
            new { name = "carol", age = 35, tags = new[] { "y", "z" }, admin = true },
        },
    };

    private static string Render(string template) => Jinja.Render(template, People);

    [TestCase("{{ people | length }}|{{ people | count }}|{{ 'a😀' | length }}|{{ {'a': 1} | length }}", "3|3|2|1")]
    [TestCase("{{ (people | first).name }}|{{ (people | last).name }}|{{ 'abc' | first }}|{{ [] | first is defined }}", "bob|carol|a|False")]
    [TestCase("{{ 'abc' | list }}|{{ {'a': 1, 'b': 2} | list }}", "['a', 'b', 'c']|['a', 'b']")]
    [TestCase("{{ [1, 2, 3] | reverse | list }}|{{ 'a😀c' | reverse }}", "[3, 2, 1]|c😀a")]
    [TestCase("{{ {'a': 1, 'b': 2} | items | list }}", "[('a', 1), ('b', 2)]")]
    [TestCase("{{ [1, 'a', none] | join }}|{{ [1, 2] | join(', ') }}|{{ people | join('/', attribute='name') }}", "1aNone|1, 2|bob/Alice/carol")]
    [TestCase("{{ people | map(attribute='name') | list }}|{{ ['a', 'b'] | map('upper') | join }}", "['bob', 'Alice', 'carol']|AB")]
    [TestCase("{{ people | map(attribute='missing', default='?') | join }}|{{ people | map(attribute='tags.0') | list }}", "???|['x', Undefined, 'y']")]
    [TestCase("{{ people | selectattr('admin') | map(attribute='name') | join(',') }}", "bob,carol")]
    [TestCase("{{ people | rejectattr('admin') | map(attribute='name') | join(',') }}", "Alice")]
    [TestCase("{{ people | selectattr('age', 'gt', 28) | map(attribute='name') | join(',') }}", "bob,carol")]
    [TestCase("{{ people | selectattr('name', 'equalto', 'bob') | list | length }}", "1")]
    [TestCase("{{ [0, 1, '', 'a', none] | select | list }}|{{ [0, 1, ''] | reject | list }}", "[1, 'a']|[0, '']")]
    [TestCase("{{ ['b', 'A', 'a', 'B', 'c'] | unique | list }}|{{ ['b', 'A', 'a'] | unique(case_sensitive=true) | list }}", "['b', 'A', 'c']|['b', 'A', 'a']")]
    [TestCase("{{ ['b', 'A', 'c'] | sort }}|{{ ['b', 'A', 'c'] | sort(case_sensitive=true) }}|{{ [3, 1, 2] | sort(reverse=true) }}", "['A', 'b', 'c']|['A', 'b', 'c']|[3, 2, 1]")]
    [TestCase("{{ people | sort(attribute='age') | map(attribute='name') | join(',') }}", "Alice,bob,carol")]
    [TestCase("{{ people | sort(attribute='name') | map(attribute='name') | join(',') }}", "Alice,bob,carol")]
    [TestCase("{{ {'b': 1, 'A': 2} | dictsort }}|{{ {'b': 1, 'a': 2} | dictsort(by='value') }}", "[('A', 2), ('b', 1)]|[('b', 1), ('a', 2)]")]
    [TestCase("{{ [3, 1, 2] | min }}|{{ [3, 1, 2] | max }}|{{ (people | max(attribute='age')).name }}|{{ ['b', 'A'] | min }}", "1|3|carol|A")]
    [TestCase("{{ [1, 2, 3] | sum }}|{{ people | sum(attribute='age') }}|{{ [[1], [2]] | sum(start=[]) }}", "6|90|[1, 2]")]
    [TestCase("{{ [1, 2, 3, 4, 5] | batch(2) | list }}|{{ [1, 2, 3] | batch(2, 0) | list }}", "[[1, 2], [3, 4], [5]]|[[1, 2], [3, 0]]")]
    public void SequenceFilters(string template, string expected) =>
        Assert.That(Render(template), Is.EqualTo(expected));

    [Test]
    public void SortIsStable() =>
        Assert.That(Jinja.Render("{{ xs | sort(attribute='k') | map(attribute='v') | join }}",
            new { xs = new[] { new { k = 1, v = "a" }, new { k = 0, v = "b" }, new { k = 1, v = "c" }, new { k = 0, v = "d" } } }),
            Is.EqualTo("bdac"));

    [Test]
    public void SortByAMissingAttributeKeepsOrderLikeJinja() =>
        Assert.That(Jinja.Render("{{ [3, 1, 2] | sort(attribute='age') | list }}"), Is.EqualTo("[3, 1, 2]"));

    [Test]
    public void IncomparableItemsFailWithPythonsMessage() =>
        Assert.That(Jinja.Fails("{{ [{'a': 1}, {'a': 2}] | sort }}").Reason, Is.EqualTo("'<' not supported between instances of 'dict' and 'dict'"));

    [Test]
    public void MapAndSelectYieldNothingForFalsyInput() =>
        Assert.That(Jinja.Render("{{ 0 | map(attribute='x') | list }}{{ none | select | list }}"), Is.EqualTo("[][]"));

    [Test]
    public void TruncateLeavesShortValuesAlone() =>
        Assert.That(Jinja.Render("{{ [1, 2] | truncate(5) }}"), Is.EqualTo("[1, 2]"));

    [Test]
    public void LengthOfANumberFails() =>
        Assert.That(Jinja.Fails("{{ 5 | length }}").Reason, Is.EqualTo("object of type 'int' has no len()"));
}
