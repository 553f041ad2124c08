using System.Net;

namespace Routing.Ipam.GarbageCollection;

/// <summary>An allocation whose handle had no live owner when first seen at <see cref="FirstSeen"/>.</summary>
public sealed record LeakCandidate(IPAddress Address, string HandleId, ulong SequenceNumber, DateTimeOffset FirstSeen);
