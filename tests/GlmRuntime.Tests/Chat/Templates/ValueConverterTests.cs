using System.Text.Json;
using System.Text.Json.Nodes;
using GlmRuntime.Chat.Templates;

namespace GlmRuntime.Tests.Chat.Templates;

public class ValueConverterTests
{
    [Test]
    public void JsonNumbersKeepIntegerness()
    {
        using JsonDocument doc = JsonDocument.Parse("[1, 1.0, 1e2, -7, 12345678901234567890]");
        var list = (List<object?>)ValueConverter.FromJson(doc.RootElement)!;
        Assert.That(list[0], Is.EqualTo(1L));
        Assert.That(list[1], Is.EqualTo(1.0).And.TypeOf<double>());
        Assert.That(list[2], Is.EqualTo(100.0).And.TypeOf<double>());
        Assert.That(list[3], Is.EqualTo(-7L));
        Assert.That(list[4], Is.TypeOf<double>());
    }

    [Test]
    public void JsonObjectsKeepKeyOrder()
    {
        using JsonDocument doc = JsonDocument.Parse("{\"z\": 1, \"a\": {\"y\": null, \"b\": true}}");
        Assert.That(PyFormat.Str(ValueConverter.FromJson(doc.RootElement)), Is.EqualTo("{'z': 1, 'a': {'y': None, 'b': True}}"));
    }

    [Test]
    public void JsonNodesConvert()
    {
        var node = new JsonObject { ["z"] = 1, ["a"] = new JsonArray(1.5, "s", null, false), ["n"] = JsonNode.Parse("{\"k\": 2}") };
        Assert.That(PyFormat.Str(ValueConverter.FromJsonNode(node)), Is.EqualTo("{'z': 1, 'a': [1.5, 's', None, False], 'n': {'k': 2}}"));
    }

    [Test]
    public void DotNetValuesConvert()
    {
        var value = new Dictionary<string, object?>
        {
            ["i"] = 3,
            ["f"] = 2.5f,
            ["m"] = 4m,
            ["c"] = 'x',
            ["list"] = new[] { 1, 2 },
            ["ro"] = new SortedDictionary<string, object?> { ["b"] = 1, ["a"] = 2 },
        };
        Assert.That(PyFormat.Str(ValueConverter.FromDotNet(value)), Is.EqualTo("{'i': 3, 'f': 2.5, 'm': 4.0, 'c': 'x', 'list': [1, 2], 'ro': {'a': 2, 'b': 1}}"));
    }

    [Test]
    public void UnsupportedValuesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => ValueConverter.FromDotNet(new object()));
        var cyclic = new List<object?>();
        cyclic.Add(cyclic);
        Assert.Throws<ArgumentException>(() => ValueConverter.FromDotNet(cyclic));
    }
}
