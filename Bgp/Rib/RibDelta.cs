namespace Routing.Bgp.Rib;

/// <summary>What one <see cref="LocRib.Apply"/> did to its source's paths: added (new, not replacements) and removed.</summary>
public readonly record struct RibDelta(int Added, int Removed);
