using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using GlmRuntime;

namespace GlmGateway.Metrics;

/// <summary>
/// Prometheus text exposition (format 0.0.4) of one engine's meter: counters as <c>_total</c>, gauges as they are,
/// histograms as cumulative <c>_bucket</c>/<c>_sum</c>/<c>_count</c>. Names follow OpenTelemetry's Prometheus mapping:
/// dots become underscores and the unit is appended (<c>glm.time_to_first_token</c> in s is
/// <c>glm_time_to_first_token_seconds</c>); tags become labels.
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    // Latency buckets in seconds (vLLM's TTFT/ITL/E2E scale, from sub-millisecond CPU steps to minutes).
    private static readonly double[] SecondsBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160];
    private static readonly double[] CountBuckets = [1, 2, 3, 4, 5, 6, 8, 10, 16];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Labels), Series> _series = new();
    private readonly object _scrapeLock = new();

    public PrometheusExporter(GlmEngine engine)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, engine))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public string Scrape()
    {
        lock (_scrapeLock)
        {
            _listener.RecordObservableInstruments(); // gauges and observable counters report now
            var text = new StringBuilder();
            foreach (var family in _series.GroupBy(s => s.Key.Instrument).OrderBy(g => g.Key.Name, StringComparer.Ordinal))
            {
                Instrument instrument = family.Key;
                string name = MetricName(instrument);
                string type = Kind(instrument);
                if (instrument.Description is { Length: > 0 } help)
                    text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\").Replace("\n", "\\n")).Append('\n');
                text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
                foreach (var (key, series) in family.OrderBy(s => s.Key.Labels, StringComparer.Ordinal))
                    series.Write(text, name, key.Labels);
            }
            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string labels = Labels(tags);
        var series = _series.GetOrAdd((instrument, labels), static key => Series.For(key.Instrument));
        series.Add(value);
    }

    private static string Kind(Instrument instrument) => instrument switch
    {
        _ when instrument.GetType().Name.StartsWith("Histogram", StringComparison.Ordinal) => "histogram",
        _ when instrument.GetType().Name.StartsWith("ObservableGauge", StringComparison.Ordinal)
            || instrument.GetType().Name.StartsWith("Gauge", StringComparison.Ordinal)
            || instrument.GetType().Name.Contains("UpDownCounter", StringComparison.Ordinal) => "gauge",
        _ => "counter",
    };

    private static string MetricName(Instrument instrument)
    {
        var name = new StringBuilder(instrument.Name.Length + 16);
        foreach (char c in instrument.Name)
            name.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        string? unit = instrument.Unit switch
        {
            "s" => "seconds",
            "1" when Kind(instrument) == "gauge" => "ratio",
            _ => null, // "{token}"-style annotations carry no unit
        };
        if (unit is not null && !instrument.Name.EndsWith(unit, StringComparison.Ordinal))
            name.Append('_').Append(unit);
        if (Kind(instrument) == "counter")
            name.Append("_total");
        return name.ToString();
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
            return "";
        var pairs = new List<string>(tags.Length);
        foreach (var (key, value) in tags)
        {
            string label = string.Concat(key.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_'));
            string text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
            pairs.Add($"{label}=\"{text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n")}\"");
        }
        pairs.Sort(StringComparer.Ordinal);
        return string.Join(",", pairs);
    }

    private static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>One labelled series: a running sum (counter), a last value (gauge), or buckets (histogram).</summary>
    private abstract class Series
    {
        public static Series For(Instrument instrument) => Kind(instrument) switch
        {
            "histogram" => new HistogramSeries(instrument.Unit == "s" ? SecondsBuckets : CountBuckets),
            "gauge" => new GaugeSeries(),
            _ => instrument.IsObservable ? new GaugeSeries() : new CounterSeries(), // observable counters report totals
        };

        public abstract void Add(double value);

        public abstract void Write(StringBuilder text, string name, string labels);

        protected static void Line(StringBuilder text, string name, string labels, double value)
        {
            text.Append(name);
            if (labels.Length > 0)
                text.Append('{').Append(labels).Append('}');
            text.Append(' ').Append(Number(value)).Append('\n');
        }
    }

    private sealed class CounterSeries : Series
    {
        private double _total;
        private readonly object _lock = new();

        public override void Add(double value)
        {
            lock (_lock)
                _total += value;
        }

        public override void Write(StringBuilder text, string name, string labels)
        {
            lock (_lock)
                Line(text, name, labels, _total);
        }
    }

    private sealed class GaugeSeries : Series
    {
        private double _value;

        public override void Add(double value) => Volatile.Write(ref _value, value);

        public override void Write(StringBuilder text, string name, string labels) => Line(text, name, labels, Volatile.Read(ref _value));
    }

    private sealed class HistogramSeries(double[] bounds) : Series
    {
        private readonly long[] _counts = new long[bounds.Length + 1];
        private double _sum;
        private long _count;
        private readonly object _lock = new();

        public override void Add(double value)
        {
            int bucket = Array.BinarySearch(bounds, value);
            if (bucket < 0)
                bucket = ~bucket; // the first bound above the value; le-buckets include their bound
            lock (_lock)
            {
                _counts[bucket]++;
                _sum += value;
                _count++;
            }
        }

        public override void Write(StringBuilder text, string name, string labels)
        {
            lock (_lock)
            {
                string prefix = labels.Length > 0 ? labels + "," : "";
                long cumulative = 0;
                for (int i = 0; i <= bounds.Length; i++)
                {
                    cumulative += _counts[i];
                    string le = i < bounds.Length ? Number(bounds[i]) : "+Inf";
                    Line(text, name + "_bucket", $"{prefix}le=\"{le}\"", cumulative);
                }
                Line(text, name + "_sum", labels, _sum);
                Line(text, name + "_count", labels, _count);
            }
        }
    }
}
