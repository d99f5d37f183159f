using System.Globalization;
using System.Text.Json;

namespace GlmRuntime.Diagnostics;

/// <summary>The figures of one <see cref="CpuBench"/> run, in measurement order, as a table or a flat JSON object.</summary>
internal sealed class CpuBenchReport
{
    private readonly List<(string Key, object Value)> _entries = [];

    public IReadOnlyList<(string Key, object Value)> Entries => _entries;

    public void Set(string key, double value) => Put(key, value);

    public void Set(string key, string value) => Put(key, value);

    public double Number(string key) => (double)_entries.First(e => e.Key == key).Value;

    /// <summary>Adds a key, or replaces its value where it already is (a figure refined later keeps its place).</summary>
    private void Put(string key, object value)
    {
        int at = _entries.FindIndex(e => e.Key == key);
        if (at >= 0)
            _entries[at] = (key, value);
        else
            _entries.Add((key, value));
    }

    public void WriteJson(Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        foreach (var (key, value) in _entries)
        {
            if (value is double d)
                w.WriteNumber(key, Math.Round(d, d >= 100 ? 1 : 4));
            else
                w.WriteString(key, (string)value);
        }
        w.WriteEndObject();
    }

    public void WriteTable(TextWriter output)
    {
        int width = _entries.Max(e => e.Key.Length);
        foreach (var (key, value) in _entries)
        {
            string text = value is double d
                ? d.ToString(d >= 1000 ? "N0" : d >= 10 ? "F1" : "F3", CultureInfo.InvariantCulture)
                : (string)value;
            output.WriteLine($"{key.PadRight(width)}  {text}");
        }
    }
}
