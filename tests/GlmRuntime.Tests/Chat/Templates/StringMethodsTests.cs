namespace GlmRuntime.Tests.Chat.Templates;

public class StringMethodsTests
{
    [TestCase("{{ '  a b  '.strip() }}|{{ '  a '.lstrip() }}|{{ ' a  '.rstrip() }}|", "a b|a | a|")]
    [TestCase("{{ '\\n\\nx\\n'.strip('\\n') }}|{{ 'xxhixx'.lstrip('x') }}|{{ 'abcba'.rstrip('ab') }}", "x|hixx|abc")]
    [TestCase("{{ ' a  b\\tc\\n'.split() }}|{{ 'a,b,,c'.split(',') }}|{{ 'a b c'.split(' ', 1) }}|{{ ''.split() }}|{{ ''.split(',') }}", "['a', 'b', 'c']|['a', 'b', '', 'c']|['a', 'b c']|[]|['']")]
    [TestCase("{{ 'a b  c'.split(none, 1) }}|{{ 'a,b,c'.rsplit(',', 1) }}|{{ ' a b c '.rsplit(None, 1) }}", "['a', 'b  c']|['a,b', 'c']|[' a b', 'c']")]
    [TestCase("{{ 'x</think>y</think>z'.split('</think>')[-1] }}|{{ 'a\\nb\\r\\nc'.splitlines() }}", "z|['a', 'b', 'c']")]
    [TestCase("{{ 'hello'.startswith('he') }}|{{ 'hello'.endswith(('x', 'lo')) }}|{{ 'hello'.startswith('l', 2) }}", "True|True|True")]
    [TestCase("{{ 'aBc'.upper() }}|{{ 'aBc'.lower() }}|{{ 'hello wORLD-x'.title() }}|{{ 'hELLO'.capitalize() }}|{{ 'aB'.swapcase() }}", "ABC|abc|Hello World-X|Hello|Ab")]
    [TestCase("{{ 'a-b-c'.replace('-', '+') }}|{{ 'a-b-c'.replace('-', '', 1) }}|{{ 'ab'.replace('', '.') }}", "a+b+c|ab-c|.a.b.")]
    [TestCase("{{ 'abcabc'.find('c') }}|{{ 'abcabc'.rfind('c') }}|{{ 'abc'.find('z') }}|{{ '😀ab'.find('a') }}|{{ 'abcabc'.count('bc') }}", "2|5|-1|1|2")]
    [TestCase("{{ ', '.join(['a', 'b']) }}|{{ '{} is {}'.format('x', 1) }}|{{ '{0}{0}{name}'.format('a', name='b') }}|{{ '{{}}{:>4}'.format(7) }}", "a, b|x is 1|aab|{}   7")]
    [TestCase("{{ '123'.isdigit() }}|{{ 'ab'.isalpha() }}|{{ ' '.isspace() }}|{{ 'ab'.islower() }}|{{ 'A1'.isupper() }}|{{ ''.isdigit() }}", "True|True|True|True|True|False")]
    [TestCase("{{ '42'.zfill(5) }}|{{ 'ab'.center(5, '*') }}|{{ 'ab'.ljust(4, '.') }}|{{ 'ab'.rjust(4) }}", "00042|**ab*|ab..|  ab")]
    [TestCase("{{ 'prefix_x'.removeprefix('prefix_') }}|{{ 'x.json'.removesuffix('.json') }}", "x|x")]
    public void PythonStringMethods(string template, string expected) =>
        Assert.That(Jinja.Render(template), Is.EqualTo(expected));

    [Test]
    public void ReasoningSplitPatternFromRealTemplates()
    {
        const string template = "{% set c = content %}{% if '</think>' in c %}{% set r = c.split('</think>')[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n') %}"
            + "{% set c = c.split('</think>')[-1].lstrip('\\n') %}{% endif %}[{{ r }}][{{ c }}]";
        Assert.That(Jinja.Render(template, new { content = "<think>\nplan\n</think>\n\nanswer" }), Is.EqualTo("[plan][answer]"));
    }

    [Test]
    public void MethodErrors()
    {
        Assert.That(Jinja.Fails("{{ 'a'.split('') }}").Reason, Is.EqualTo("split(): empty separator"));
        Assert.That(Jinja.Fails("{{ 'a'.index('z') }}").Reason, Is.EqualTo("substring not found"));
        Assert.That(Jinja.Fails("{{ ','.join([1]) }}").Reason, Does.Contain("expected str instance, int found"));
        Assert.That(Jinja.Render("{{ 'a'.nope is defined }}"), Is.EqualTo("False"));
    }
}
