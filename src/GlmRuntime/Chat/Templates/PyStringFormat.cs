using System.Globalization;
using System.Text;

namespace GlmRuntime.Chat.Templates;

/// <summary>
/// Python string formatting used by templates: <c>'%s' % x</c> (and the <c>format</c> filter) and
/// <c>'{}'.format(x)</c>. Covers the common conversions (s, r, d, i, f, e, g, x, o, c) with flags, width
/// and precision; exotic specifications fail with a clear error.
/// </summary>
internal static class PyStringFormat
{
    public static string Percent(string format, object? args)
    {
        IReadOnlyList<object?> positional = args is object?[] tuple ? tuple : [args];
        var mapping = args as JinjaDict;
        var sb = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.Length; i++)
        {
            char c = format[i];
            if (c != '%')
            {
                sb.Append(c);
                continue;
            }
            if (++i >= format.Length)
                throw new TemplateError("incomplete format");
            object? value;
            string? key = null;
            if (format[i] == '(')
            {
                int close = format.IndexOf(')', i);
                if (close < 0 || mapping is null)
                    throw new TemplateError("format requires a mapping");
                key = format[(i + 1)..close];
                i = close + 1;
            }
            int specStart = i;
            while (i < format.Length && "-+ #0".Contains(format[i]))
                i++;
            while (i < format.Length && (char.IsAsciiDigit(format[i]) || format[i] == '.'))
                i++;
            if (i >= format.Length)
                throw new TemplateError("incomplete format");
            char type = format[i];
            if (type == '%')
            {
                sb.Append('%');
                continue;
            }
            if (key is not null)
            {
                value = mapping!.TryGetValue(key, out object? v) ? v : throw new TemplateError($"format key '{key}' not found");
            }
            else
            {
                if (next >= positional.Count)
                    throw new TemplateError("not enough arguments for format string");
                value = positional[next++];
            }
            sb.Append(FormatOne(value, format[specStart..i], type));
        }
        // Python only complains for tuples and scalars; a list or dict operand may go unused.
        if (next < positional.Count && (args is object?[] || args is not (List<object?> or JinjaDict)))
            throw new TemplateError("not all arguments converted during string formatting");
        return sb.ToString();
    }

    /// <summary>Python <c>str.format</c> with automatic/explicit indices, keyword fields and simple specs.</summary>
    public static string Format(string format, Arguments args)
    {
        var sb = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < format.Length; i++)
        {
            char c = format[i];
            if (c == '}')
            {
                if (i + 1 < format.Length && format[i + 1] == '}')
                    i++;
                sb.Append('}');
                continue;
            }
            if (c != '{')
            {
                sb.Append(c);
                continue;
            }
            if (i + 1 < format.Length && format[i + 1] == '{')
            {
                sb.Append('{');
                i++;
                continue;
            }
            int close = format.IndexOf('}', i);
            if (close < 0)
                throw new TemplateError("single '{' encountered in format string");
            string field = format[(i + 1)..close];
            i = close;
            string spec = "";
            int colon = field.IndexOf(':');
            if (colon >= 0)
            {
                spec = field[(colon + 1)..];
                field = field[..colon];
            }
            char conversion = '\0';
            int bang = field.IndexOf('!');
            if (bang >= 0)
            {
                conversion = field.Length > bang + 1 ? field[bang + 1] : 's';
                field = field[..bang];
            }
            object? value;
            if (field.Length == 0)
                value = auto < args.Positional.Count ? args.Positional[auto++] : throw new TemplateError("format(): not enough positional arguments");
            else if (int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                value = index < args.Positional.Count ? args.Positional[index] : throw new TemplateError($"format(): no positional argument {index}");
            else
                value = args.TryGet(-1, field, out object? v) ? v : throw new TemplateError($"format(): no keyword argument '{field}'");
            if (conversion == 'r')
                value = PyFormat.Repr(value);
            sb.Append(ApplySpec(value, spec));
        }
        return sb.ToString();
    }

    private static string ApplySpec(object? value, string spec)
    {
        if (spec.Length == 0)
            return PyFormat.Str(value);
        char fill = ' ', align = '\0';
        int i = 0;
        if (spec.Length >= 2 && spec[1] is '<' or '>' or '^')
        {
            fill = spec[0];
            align = spec[1];
            i = 2;
        }
        else if (spec[0] is '<' or '>' or '^')
        {
            align = spec[0];
            i = 1;
        }
        string rest = spec[i..];
        char type = rest.Length > 0 && char.IsLetter(rest[^1]) ? rest[^1] : (value is string ? 's' : value is double ? 'g' : 'd');
        string flags = rest.Length > 0 && char.IsLetter(rest[^1]) ? rest[..^1] : rest;
        int widthStart = 0;
        while (widthStart < flags.Length && flags[widthStart] is '+' or '-' or ' ')
            widthStart++;
        int dot = flags.IndexOf('.');
        string widthText = dot < 0 ? flags[widthStart..] : flags[widthStart..dot];
        bool zeroPad = widthText.StartsWith('0');
        int width = widthText.Length == 0 ? 0 : int.Parse(widthText, CultureInfo.InvariantCulture);
        string body = FormatOne(value, flags[..widthStart] + (dot < 0 ? "" : flags[dot..]), type);
        if (body.Length >= width)
            return body;
        if (align == '\0')
            align = value is long or double && !zeroPad ? '>' : zeroPad ? '=' : '<';
        int pad = width - body.Length;
        return align switch
        {
            '<' => body + new string(fill, pad),
            '^' => new string(fill, pad / 2) + body + new string(fill, pad - pad / 2),
            '=' => new string('0', pad) + body,
            _ => new string(fill, pad) + body,
        };
    }

    /// <summary>Formats one value for a printf-style conversion with flags/width/precision in <paramref name="spec"/>.</summary>
    private static string FormatOne(object? value, string spec, char type)
    {
        bool left = spec.Contains('-'), plus = spec.Contains('+'), space = spec.Contains(' ');
        string digits = spec.TrimStart('-', '+', ' ', '#');
        bool zero = digits.StartsWith('0');
        int dot = digits.IndexOf('.');
        int width = int.TryParse(dot < 0 ? digits : digits[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out int w) ? w : 0;
        int? precision = dot >= 0 && int.TryParse(digits[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int p) ? p : dot >= 0 ? 0 : null;

        string body = type switch
        {
            's' => precision is int ps ? Truncate(PyFormat.Str(value), ps) : PyFormat.Str(value),
            'r' => PyFormat.Repr(value),
            'd' or 'i' or 'u' => (value is double d ? (long)Math.Truncate(d) : PyValues.ToLong(RequireNumber(value, type))).ToString(CultureInfo.InvariantCulture),
            'f' or 'F' => PyValues.ToDouble(RequireNumber(value, type)).ToString("F" + (precision ?? 6), CultureInfo.InvariantCulture),
            'e' or 'E' => FormatExponent(PyValues.ToDouble(RequireNumber(value, type)), precision ?? 6, type),
            'g' or 'G' => FormatGeneral(PyValues.ToDouble(RequireNumber(value, type)), precision ?? 6),
            'x' => PyValues.ToLong(RequireNumber(value, type)).ToString("x", CultureInfo.InvariantCulture),
            'X' => PyValues.ToLong(RequireNumber(value, type)).ToString("X", CultureInfo.InvariantCulture),
            'o' => Convert.ToString(PyValues.ToLong(RequireNumber(value, type)), 8),
            'c' => value is string cs ? cs : char.ConvertFromUtf32((int)PyValues.ToLong(value)),
            _ => throw new TemplateError($"unsupported format character '{type}'"),
        };
        if (PyValues.IsNumber(value) && type is not ('s' or 'r' or 'c') && !body.StartsWith('-'))
            body = plus ? "+" + body : space ? " " + body : body;
        if (body.Length >= width)
            return body;
        if (left)
            return body.PadRight(width);
        if (zero && PyValues.IsNumber(value) && type is not ('s' or 'r'))
        {
            bool signed = body.Length > 0 && body[0] is '-' or '+' or ' ';
            return signed ? body[0] + body[1..].PadLeft(width - 1, '0') : body.PadLeft(width, '0');
        }
        return body.PadLeft(width);
    }

    private static object? RequireNumber(object? value, char type) =>
        PyValues.IsNumber(value) ? value : throw new TemplateError($"%{type} format: a real number is required, not {PyValues.TypeName(value)}");

    private static string Truncate(string s, int length)
    {
        List<string> cps = PyString.CodePoints(s);
        return cps.Count <= length ? s : string.Concat(cps.Take(length));
    }

    private static string FormatExponent(double d, int precision, char type)
    {
        string s = d.ToString((type == 'E' ? "E" : "e") + precision, CultureInfo.InvariantCulture);
        // .NET writes three exponent digits (1.5e+005); Python writes at least two.
        int e = s.IndexOfAny(['e', 'E']);
        string exponent = s[(e + 2)..].TrimStart('0').PadLeft(2, '0');
        return s[..(e + 2)] + exponent;
    }

    private static string FormatGeneral(double d, int precision)
    {
        if (precision == 0)
            precision = 1;
        if (d == 0)
            return "0";
        int exponent = (int)Math.Floor(Math.Log10(Math.Abs(d)));
        if (exponent < -4 || exponent >= precision)
        {
            string s = FormatExponent(d, precision - 1, 'e');
            int e = s.IndexOf('e');
            string mantissa = s[..e];
            if (mantissa.Contains('.'))
                mantissa = mantissa.TrimEnd('0').TrimEnd('.');
            return mantissa + s[e..];
        }
        string f = d.ToString("F" + Math.Max(0, precision - 1 - exponent), CultureInfo.InvariantCulture);
        return f.Contains('.') ? f.TrimEnd('0').TrimEnd('.') : f;
    }
}
