using System.Diagnostics.Tracing;

namespace Routing.Benchmarks.Policy;

/// <summary>
/// Counts the runtime's allocation samples (GCAllocationTick, one per ~100 KB allocated) by the
/// type that crossed the mark, while <see cref="Sampling"/>: which types a phase allocates most.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Dictionary<string, long> byType = new(StringComparer.Ordinal);

    public bool Sampling { get; set; }

    /// <summary>The types sampled most, with their sample counts.</summary>
    public IEnumerable<(string Type, long Samples)> Top(int count)
    {
        lock (byType)
        {
            return byType.OrderByDescending(p => p.Value).Take(count).Select(p => (p.Key, p.Value)).ToArray();
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeSource)
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!Sampling || eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.PayloadNames is not { } names)
        {
            return;
        }

        var at = names.IndexOf("TypeName");
        if (at >= 0 && eventData.Payload?[at] is string type)
        {
            lock (byType)
            {
                byType[type] = byType.GetValueOrDefault(type) + 1;
            }
        }
    }
}
