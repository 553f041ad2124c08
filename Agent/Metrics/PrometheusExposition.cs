using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Routing.Agent.Metrics;

/// <summary>
/// Prometheus' text exposition format (version 0.0.4) of one <see cref="Meter"/>'s instruments:
/// counters as <c>counter</c>, up-down counters and gauges as <c>gauge</c>, histograms with
/// cumulative <c>_bucket</c>, <c>_sum</c> and <c>_count</c> series. Observable instruments are read
/// at each scrape, so a series that is no longer observed (a removed peer) disappears.
/// (The package mirror has no Prometheus exporter; the format is small and written here.)
/// </summary>
public sealed class PrometheusExposition : IDisposable
{
    private static readonly double[] DefaultBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly MeterListener listener = new();
    private readonly Lock gate = new();
    private readonly Lock scrape = new();
    private readonly List<Series> instruments = [];
    private readonly Dictionary<Instrument, Series> byInstrument = [];

    public PrometheusExposition(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter != meter)
            {
                return;
            }

            lock (gate)
            {
                var series = new Series(instrument, Kind(instrument), Buckets(instrument));
                instruments.Add(series);
                byInstrument[instrument] = series;
            }

            l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        listener.Start();
    }

    /// <summary>Every instrument's series now, in the text format.</summary>
    public string Collect()
    {
        lock (scrape)
        {
            Series[] all;
            lock (gate)
            {
                all = [.. instruments];
                foreach (var series in all.Where(s => s.Instrument.IsObservable))
                {
                    series.Values.Clear();
                }
            }

            listener.RecordObservableInstruments();
            var text = new StringBuilder();
            lock (gate)
            {
                foreach (var series in all)
                {
                    Write(text, series);
                }
            }

            return text.ToString();
        }
    }

    public void Dispose() => listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = Labels(tags);
        lock (gate)
        {
            if (!byInstrument.TryGetValue(instrument, out var series))
            {
                return;
            }

            switch (series.Kind)
            {
                case SeriesKind.Histogram:
                    if (!series.Histograms.TryGetValue(labels, out var histogram))
                    {
                        histogram = new HistogramState(series.Buckets.Length);
                        series.Histograms[labels] = histogram;
                    }

                    histogram.Observe(series.Buckets, value);
                    break;
                case SeriesKind.Counter or SeriesKind.UpDown when !instrument.IsObservable:
                    series.Values[labels] = series.Values.GetValueOrDefault(labels) + value;
                    break;
                default:
                    series.Values[labels] = value;
                    break;
            }
        }
    }

    private static void Write(StringBuilder text, Series series)
    {
        var name = series.Instrument.Name;
        var type = series.Kind switch
        {
            SeriesKind.Counter => "counter",
            SeriesKind.Histogram => "histogram",
            _ => "gauge",
        };
        if (series.Instrument.Description is { Length: > 0 } help)
        {
            text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        }

        text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        foreach (var (labels, value) in series.Values.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append(Braces(labels)).Append(' ').Append(Number(value)).Append('\n');
        }

        foreach (var (labels, histogram) in series.Histograms.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            long cumulative = 0;
            for (var i = 0; i < series.Buckets.Length; i++)
            {
                cumulative += histogram.Counts[i];
                var le = $"le=\"{Number(series.Buckets[i])}\"";
                text.Append(name).Append("_bucket").Append(Braces(labels.Length == 0 ? le : $"{labels},{le}")).Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }

            text.Append(name).Append("_bucket").Append(Braces(labels.Length == 0 ? "le=\"+Inf\"" : $"{labels},le=\"+Inf\"")).Append(' ').Append(histogram.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
            text.Append(name).Append("_sum").Append(Braces(labels)).Append(' ').Append(Number(histogram.Sum)).Append('\n');
            text.Append(name).Append("_count").Append(Braces(labels)).Append(' ').Append(histogram.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
    }

    private static string Braces(string labels) => labels.Length == 0 ? string.Empty : $"{{{labels}}}";

    private static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>The labels in name order, values escaped, as they go between the braces.</summary>
    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return string.Empty;
        }

        var pairs = new KeyValuePair<string, object?>[tags.Length];
        tags.CopyTo(pairs);
        Array.Sort(pairs, (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return string.Join(',', pairs.Select(p => $"{p.Key}=\"{Escape(Convert.ToString(p.Value, CultureInfo.InvariantCulture) ?? string.Empty)}\""));
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static SeriesKind Kind(Instrument instrument)
    {
        var definition = instrument.GetType().IsGenericType ? instrument.GetType().GetGenericTypeDefinition() : instrument.GetType();
        if (definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>))
        {
            return SeriesKind.Counter;
        }

        if (definition == typeof(Histogram<>))
        {
            return SeriesKind.Histogram;
        }

        return definition == typeof(UpDownCounter<>) ? SeriesKind.UpDown : SeriesKind.Gauge;
    }

    private static double[] Buckets(Instrument instrument) =>
        instrument is Histogram<double> { Advice.HistogramBucketBoundaries: { Count: > 0 } boundaries } ? [.. boundaries] : DefaultBuckets;

    private enum SeriesKind
    {
        Counter,
        UpDown,
        Gauge,
        Histogram,
    }

    private sealed class Series(Instrument instrument, SeriesKind kind, double[] buckets)
    {
        public Instrument Instrument { get; } = instrument;

        public SeriesKind Kind { get; } = kind;

        public double[] Buckets { get; } = buckets;

        public Dictionary<string, double> Values { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, HistogramState> Histograms { get; } = new(StringComparer.Ordinal);
    }

    private sealed class HistogramState(int buckets)
    {
        public long[] Counts { get; } = new long[buckets];

        public long Count { get; private set; }

        public double Sum { get; private set; }

        public void Observe(double[] bounds, double value)
        {
            var index = Array.FindIndex(bounds, b => value <= b);
            if (index >= 0)
            {
                Counts[index]++;
            }

            Count++;
            Sum += value;
        }
    }
}
