using System.Diagnostics.Metrics;
using Routing.Agent.Metrics;

namespace Routing.Agent.Tests.Metrics;

/// <summary>What a Prometheus server scraping the agent's /metrics reads.</summary>
public sealed class PrometheusExpositionTests
{
    [Fact]
    public void Counters_sum_per_label_set_in_label_order_with_help_and_type()
    {
        using var meter = new Meter("test.counters");
        using var exposition = new PrometheusExposition(meter);
        var counter = meter.CreateCounter<long>("routing_things_total", description: "Things done");

        counter.Add(2, new("b", "2"), new("a", "1"));
        counter.Add(3, new("a", "1"), new("b", "2"));
        counter.Add(1);

        var text = exposition.Collect();

        Assert.Equal(
            "# HELP routing_things_total Things done\n# TYPE routing_things_total counter\nrouting_things_total 1\nrouting_things_total{a=\"1\",b=\"2\"} 5\n",
            text);
    }

    [Fact]
    public void Observed_series_are_read_at_each_scrape_and_vanish_when_no_longer_observed()
    {
        using var meter = new Meter("test.gauges");
        using var exposition = new PrometheusExposition(meter);
        var peers = new List<string> { "10.0.0.1", "10.0.0.2" };
        meter.CreateObservableGauge("routing_up", () => peers.Select(p => new Measurement<int>(1, new KeyValuePair<string, object?>("peer", p))));

        Assert.Contains("routing_up{peer=\"10.0.0.2\"} 1\n", exposition.Collect(), StringComparison.Ordinal);
        peers.RemoveAt(1);
        var text = exposition.Collect();

        Assert.Contains("# TYPE routing_up gauge\n", text, StringComparison.Ordinal);
        Assert.Contains("routing_up{peer=\"10.0.0.1\"} 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("10.0.0.2", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Histograms_have_cumulative_buckets_sum_and_count()
    {
        using var meter = new Meter("test.histograms");
        using var exposition = new PrometheusExposition(meter);
        var histogram = meter.CreateHistogram("routing_apply_seconds", unit: "s", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.1, 1] });

        histogram.Record(0.005);
        histogram.Record(0.05);
        histogram.Record(0.07);
        histogram.Record(5);

        var text = exposition.Collect();

        Assert.Contains(
            "# TYPE routing_apply_seconds histogram\n" +
            "routing_apply_seconds_bucket{le=\"0.01\"} 1\n" +
            "routing_apply_seconds_bucket{le=\"0.1\"} 3\n" +
            "routing_apply_seconds_bucket{le=\"1\"} 3\n" +
            "routing_apply_seconds_bucket{le=\"+Inf\"} 4\n" +
            "routing_apply_seconds_sum 5.125\n" +
            "routing_apply_seconds_count 4\n",
            text,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Label_values_and_help_are_escaped()
    {
        using var meter = new Meter("test.escaping");
        using var exposition = new PrometheusExposition(meter);
        meter.CreateObservableGauge("routing_detail", () => new Measurement<int>(0, new KeyValuePair<string, object?>("why", "a \"quoted\"\\path\nnext")), description: "line one\nline two");

        var text = exposition.Collect();

        Assert.Contains("# HELP routing_detail line one\\nline two\n", text, StringComparison.Ordinal);
        Assert.Contains("routing_detail{why=\"a \\\"quoted\\\"\\\\path\\nnext\"} 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_meters_instruments_are_not_exposed()
    {
        using var ours = new Meter("test.ours");
        using var theirs = new Meter("test.theirs");
        using var exposition = new PrometheusExposition(ours);
        theirs.CreateCounter<long>("someone_elses_total").Add(1);

        Assert.Equal(string.Empty, exposition.Collect());
    }
}
