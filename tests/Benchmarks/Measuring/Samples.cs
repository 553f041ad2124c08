namespace Routing.Benchmarks.Measuring;

/// <summary>Summaries of repeated timings, shared by the side-by-side runs.</summary>
internal static class Samples
{
    /// <summary>The middle value (the mean of the two middle ones for an even count); sorts <paramref name="values"/>.</summary>
    public static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }
}
