using GlmRuntime.Chat.Templates;

namespace GlmRuntime.Tests.Chat.Templates;

public class PyJsonTests
{
    private static JinjaDict Sample() => new()
    {
        ["name"] = "x",
        ["n"] = 3L,
        ["f"] = 0.5,
        ["ok"] = true,
        ["none"] = null,
        ["list"] = new List<object?> { 1L, new JinjaDict() },
        ["tuple"] = new object?[] { "a" },
    };

    [Test]
    public void DefaultSeparatorsAreCommaSpaceAndColonSpace() =>
        Assert.That(PyJson.Dumps(Sample()), Is.EqualTo("{\"name\": \"x\", \"n\": 3, \"f\": 0.5, \"ok\": true, \"none\": null, \"list\": [1, {}], \"tuple\": [\"a\"]}"));

    [Test]
    public void IndentUsesCommaSeparatorAndNewlines() =>
        Assert.That(PyJson.Dumps(new JinjaDict { ["a"] = new List<object?> { 1L }, ["b"] = "c" }, indent: "  "),
            Is.EqualTo("{\n  \"a\": [\n    1\n  ],\n  \"b\": \"c\"\n}"));

    [Test]
    public void StringEscapesFollowPython()
    {
        Assert.That(PyJson.Dumps("é\u0001\u007f\"\\/\b\f\n\r\t😀"), Is.EqualTo("\"é\\u0001\u007f\\\"\\\\/\\b\\f\\n\\r\\t😀\""));
        Assert.That(PyJson.Dumps("é\u007f😀", ensureAscii: true), Is.EqualTo("\"\\u00e9\\u007f\\ud83d\\ude00\""));
    }

    [Test]
    public void FloatsUsePythonRepr() =>
        Assert.That(PyJson.Dumps(new List<object?> { 1.0, 1e-7, 1e16, double.NaN, double.NegativeInfinity }), Is.EqualTo("[1.0, 1e-07, 1e+16, NaN, -Infinity]"));

    [Test]
    public void SortKeysAndCustomSeparators() =>
        Assert.That(PyJson.Dumps(new JinjaDict { ["b"] = 1L, ["a"] = 2L }, sortKeys: true, itemSeparator: ",", keySeparator: ":"), Is.EqualTo("{\"a\":2,\"b\":1}"));

    [Test]
    public void NonSerializableValuesFail() =>
        Assert.That(Assert.Throws<TemplateError>(() => PyJson.Dumps(new JinjaNamespace()))!.Message, Is.EqualTo("Object of type Namespace is not JSON serializable"));
}
