using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace GlmRuntime.Chat.Templates;

/// <summary>
/// Python's <c>json.dumps</c>, which is what Hugging Face's <c>tojson</c> filter calls
/// (<c>ensure_ascii=False</c> by default, no HTML escaping, keys in insertion order unless sorted).
/// Separators default to <c>", "</c>/<c>": "</c>, or <c>","</c>/<c>": "</c> when indenting.
/// </summary>
internal sealed class PyJson
{
    private readonly StringBuilder _sb = new();
    private readonly string? _indent;
    private readonly bool _ensureAscii;
    private readonly bool _sortKeys;
    private readonly string _itemSeparator;
    private readonly string _keySeparator;

    private PyJson(string? indent, bool ensureAscii, bool sortKeys, string? itemSeparator, string? keySeparator)
    {
        _indent = indent;
        _ensureAscii = ensureAscii;
        _sortKeys = sortKeys;
        _itemSeparator = itemSeparator ?? (indent is null ? ", " : ",");
        _keySeparator = keySeparator ?? ": ";
    }

    /// <param name="value">Engine value to dump.</param>
    /// <param name="indent">Indentation per level, or null for a single line.</param>
    /// <param name="ensureAscii">Escape every non-ASCII character as <c>\uXXXX</c>.</param>
    /// <param name="sortKeys">Sort object keys.</param>
    /// <param name="itemSeparator">Overrides the item separator.</param>
    /// <param name="keySeparator">Overrides the key separator.</param>
    public static string Dumps(object? value, string? indent = null, bool ensureAscii = false, bool sortKeys = false,
        string? itemSeparator = null, string? keySeparator = null)
    {
        var writer = new PyJson(indent, ensureAscii, sortKeys, itemSeparator, keySeparator);
        writer.Write(value, 0);
        return writer._sb.ToString();
    }

    private void Write(object? value, int level)
    {
        if (level > TemplateLimits.Default.MaxValueDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new TemplateError("value is nested too deeply for tojson");
        switch (value)
        {
            case null:
                _sb.Append("null");
                break;
            case bool b:
                _sb.Append(b ? "true" : "false");
                break;
            case long l:
                _sb.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                _sb.Append(FormatFloat(d));
                break;
            case string s:
                WriteString(s);
                break;
            case IReadOnlyList<object?> list:
                WriteList(list, level);
                break;
            case JinjaDict dict:
                WriteDict(dict, level);
                break;
            default:
                throw new TemplateError($"Object of type {PyValues.TypeName(value)} is not JSON serializable");
        }
    }

    private static string FormatFloat(double d) =>
        double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : PyFormat.FloatRepr(d);

    private void NewLine(int level)
    {
        _sb.Append('\n');
        for (int i = 0; i < level; i++)
            _sb.Append(_indent);
    }

    private void WriteList(IReadOnlyList<object?> list, int level)
    {
        if (list.Count == 0)
        {
            _sb.Append("[]");
            return;
        }
        _sb.Append('[');
        for (int i = 0; i < list.Count; i++)
        {
            if (i > 0)
                _sb.Append(_itemSeparator);
            if (_indent is not null)
                NewLine(level + 1);
            Write(list[i], level + 1);
        }
        if (_indent is not null)
            NewLine(level);
        _sb.Append(']');
    }

    private void WriteDict(JinjaDict dict, int level)
    {
        if (dict.Count == 0)
        {
            _sb.Append("{}");
            return;
        }
        IEnumerable<KeyValuePair<object, object?>> entries = dict;
        if (_sortKeys)
        {
            var sorted = dict.ToList();
            sorted.Sort((a, b) => PyValues.Compare(a.Key, b.Key));
            entries = sorted;
        }
        _sb.Append('{');
        bool first = true;
        foreach (var (key, item) in entries)
        {
            if (!first)
                _sb.Append(_itemSeparator);
            first = false;
            if (_indent is not null)
                NewLine(level + 1);
            WriteString(KeyString(key));
            _sb.Append(_keySeparator);
            Write(item, level + 1);
        }
        if (_indent is not null)
            NewLine(level);
        _sb.Append('}');
    }

    private static string KeyString(object key) => key switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FormatFloat(d),
        _ => throw new TemplateError($"keys must be str, int, float, bool or None, not {PyValues.TypeName(key)}"),
    };

    private void WriteString(string s)
    {
        _sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': _sb.Append("\\\""); break;
                case '\\': _sb.Append("\\\\"); break;
                case '\n': _sb.Append("\\n"); break;
                case '\r': _sb.Append("\\r"); break;
                case '\t': _sb.Append("\\t"); break;
                case '\b': _sb.Append("\\b"); break;
                case '\f': _sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || (_ensureAscii && c > 0x7e))
                        _sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        _sb.Append(c);
                    break;
            }
        }
        _sb.Append('"');
    }
}
