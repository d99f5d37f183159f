using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace GlmRuntime.Chat.Templates;

/// <summary>Python <c>str()</c> and <c>repr()</c> of engine values, which is what <c>{{ value }}</c> prints.</summary>
internal static class PyFormat
{
    public static string Str(object? value) => value switch
    {
        null => "None",
        Undefined => "",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FloatRepr(d),
        string s => s,
        _ => Repr(value),
    };

    public static string Repr(object? value)
    {
        var sb = new StringBuilder();
        AppendRepr(sb, value, 0);
        return sb.ToString();
    }

    private static void AppendRepr(StringBuilder sb, object? value, int depth)
    {
        if (depth > TemplateLimits.Default.MaxValueDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new TemplateError("value is nested too deeply to print");
        switch (value)
        {
            case string s:
                AppendStringRepr(sb, s);
                break;
            case object?[] tuple:
                sb.Append('(');
                AppendItems(sb, tuple, depth);
                sb.Append(tuple.Length == 1 ? ",)" : ")");
                break;
            case List<object?> list:
                sb.Append('[');
                AppendItems(sb, list, depth);
                sb.Append(']');
                break;
            case JinjaDict dict:
                AppendDict(sb, dict, depth);
                break;
            case JinjaNamespace ns:
                sb.Append("<Namespace ");
                AppendDict(sb, ns.Attributes, depth);
                sb.Append('>');
                break;
            case Undefined:
                sb.Append("Undefined");
                break;
            case LoopContext loop:
                sb.Append("<LoopContext ").Append(Str(loop.GetAttribute("index"))).Append('/').Append(Str(loop.GetAttribute("length"))).Append('>');
                break;
            case MacroFunction macro:
                sb.Append("<Macro '").Append(macro.Name).Append("'>");
                break;
            case JinjaCallable callable:
                sb.Append("<built-in function ").Append(callable.Name).Append('>');
                break;
            default:
                sb.Append(Str(value));
                break;
        }
    }

    private static void AppendItems(StringBuilder sb, IReadOnlyList<object?> items, int depth)
    {
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0)
                sb.Append(", ");
            AppendRepr(sb, items[i], depth + 1);
        }
    }

    private static void AppendDict(StringBuilder sb, JinjaDict dict, int depth)
    {
        sb.Append('{');
        bool first = true;
        foreach (var (key, item) in dict)
        {
            if (!first)
                sb.Append(", ");
            first = false;
            AppendRepr(sb, key, depth + 1);
            sb.Append(": ");
            AppendRepr(sb, item, depth + 1);
        }
        sb.Append('}');
    }

    /// <summary>Python's string repr: single quotes unless the text has ' and no ", escapes for unprintables.</summary>
    private static void AppendStringRepr(StringBuilder sb, string s)
    {
        char quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        sb.Append(quote);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == quote || c == '\\')
            {
                sb.Append('\\').Append(c);
                continue;
            }
            switch (c)
            {
                case '\n': sb.Append("\\n"); continue;
                case '\r': sb.Append("\\r"); continue;
                case '\t': sb.Append("\\t"); continue;
            }
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                int cp = char.ConvertToUtf32(c, s[i + 1]);
                if (IsPrintable(CharUnicodeInfo.GetUnicodeCategory(cp)))
                    sb.Append(c).Append(s[i + 1]);
                else
                    sb.Append("\\U").Append(cp.ToString("x8", CultureInfo.InvariantCulture));
                i++;
                continue;
            }
            if (c == ' ' || (c >= 0x20 && c != 0x7f && IsPrintable(CharUnicodeInfo.GetUnicodeCategory(c))))
                sb.Append(c);
            else if (c < 0x100)
                sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            else
                sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
        }
        sb.Append(quote);
    }

    private static bool IsPrintable(UnicodeCategory category) => category is not (UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator
        or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator);

    /// <summary>
    /// Python's <c>repr(float)</c>: the shortest round-tripping digits, positional notation for decimal exponents
    /// in [-4, 16), scientific (<c>1e-05</c>, <c>1e+16</c>) outside, and always a <c>.0</c> on integral values.
    /// </summary>
    public static string FloatRepr(double d)
    {
        if (double.IsNaN(d))
            return "nan";
        if (double.IsInfinity(d))
            return d > 0 ? "inf" : "-inf";
        if (d == 0)
            return double.IsNegative(d) ? "-0.0" : "0.0";

        string r = Math.Abs(d).ToString("R", CultureInfo.InvariantCulture);
        int ePos = r.IndexOf('E');
        string mantissa = ePos < 0 ? r : r[..ePos];
        int exponent = ePos < 0 ? 0 : int.Parse(r[(ePos + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        int dot = mantissa.IndexOf('.');
        string intPart = dot < 0 ? mantissa : mantissa[..dot];
        string digits = intPart + (dot < 0 ? "" : mantissa[(dot + 1)..]);
        // value = 0.<digits> * 10^decimalPoint
        int decimalPoint = intPart.Length + exponent;
        int leading = 0;
        while (leading < digits.Length - 1 && digits[leading] == '0')
            leading++;
        digits = digits[leading..].TrimEnd('0');
        decimalPoint -= leading;
        if (digits.Length == 0)
            digits = "0";

        var sb = new StringBuilder();
        if (d < 0)
            sb.Append('-');
        if (decimalPoint > -4 && decimalPoint <= 16)
        {
            if (decimalPoint <= 0)
                sb.Append("0.").Append('0', -decimalPoint).Append(digits);
            else if (decimalPoint >= digits.Length)
                sb.Append(digits).Append('0', decimalPoint - digits.Length).Append(".0");
            else
                sb.Append(digits, 0, decimalPoint).Append('.').Append(digits, decimalPoint, digits.Length - decimalPoint);
        }
        else
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            int e = decimalPoint - 1;
            sb.Append(e < 0 ? "e-" : "e+").Append(Math.Abs(e).ToString("00", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
