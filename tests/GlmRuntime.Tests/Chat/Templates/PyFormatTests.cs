using GlmRuntime.Chat.Templates;

namespace GlmRuntime.Tests.Chat.Templates;

public class PyFormatTests
{
    [TestCase(1.0, "1.0")]
    [TestCase(0.1, "0.1")]
    [TestCase(1e16, "1e+16")]
    [TestCase(1e15, "1000000000000000.0")]
    [TestCase(123456789012345678.0, "1.2345678901234568e+17")]
    [TestCase(1e-4, "0.0001")]
    [TestCase(1e-5, "1e-05")]
    [TestCase(1.5e-7, "1.5e-07")]
    [TestCase(-0.0, "-0.0")]
    [TestCase(-2.5, "-2.5")]
    [TestCase(3.141592653589793, "3.141592653589793")]
    [TestCase(1e22, "1e+22")]
    [TestCase(1.7976931348623157e308, "1.7976931348623157e+308")]
    [TestCase(5e-324, "5e-324")]
    [TestCase(0.000123, "0.000123")]
    [TestCase(12345.678, "12345.678")]
    [TestCase(1234567890123456.7, "1234567890123456.8")]
    [TestCase(double.PositiveInfinity, "inf")]
    [TestCase(double.NaN, "nan")]
    public void FloatReprMatchesPython(double value, string expected) =>
        Assert.That(PyFormat.FloatRepr(value), Is.EqualTo(expected));

    [TestCase("it's", "\"it's\"")]
    [TestCase("a\"b", "'a\"b'")]
    [TestCase("both ' \"", "'both \\' \"'")]
    [TestCase("tab\t\u0001\u007f\u00e9\u200b😀\\", "'tab\\t\\x01\\x7fé\\u200b😀\\\\'")]
    public void StringReprMatchesPython(string value, string expected) =>
        Assert.That(PyFormat.Repr(value), Is.EqualTo(expected));

    [Test]
    public void StrOfEngineValues()
    {
        var dict = new JinjaDict { ["a"] = new List<object?> { 1L, "x", null, true, 2.0 } };
        Assert.That(PyFormat.Str(dict), Is.EqualTo("{'a': [1, 'x', None, True, 2.0]}"));
        Assert.That(PyFormat.Str(new object?[] { "t" }), Is.EqualTo("('t',)"));
        Assert.That(PyFormat.Str(null), Is.EqualTo("None"));
        Assert.That(PyFormat.Str(new Undefined("x")), Is.EqualTo(""));
        Assert.That(PyFormat.Str(false), Is.EqualTo("False"));
        Assert.That(PyFormat.Str(-12L), Is.EqualTo("-12"));
    }

    [Test]
    public void CyclicValuesFailInsteadOfOverflowing()
    {
        var list = new List<object?>();
        list.Add(list);
        Assert.Throws<TemplateError>(() => PyFormat.Repr(list));
    }
}
