using System.Text.Json.Serialization;

namespace Routing.Ipam.Serialization;

// The stored documents' shapes, field for field with Calico's where the concept is the same, so an
// admin who knows Calico's IPAM resources reads these at sight. Mapped to and from the domain
// records by IpamDocuments; never used outside this folder.

internal sealed class IpamDocument<TSpec>
    where TSpec : class
{
    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public DocumentMetadata Metadata { get; set; } = new();

    public TSpec? Spec { get; set; }
}

internal sealed class DocumentMetadata
{
    public string Name { get; set; } = "";
}

internal sealed class BlockSpec
{
    public string Cidr { get; set; } = "";

    public string? Affinity { get; set; }

    public bool StrictAffinity { get; set; }

    public List<int?> Allocations { get; set; } = [];

    public List<int> Unallocated { get; set; } = [];

    public List<AttributeSpec> Attributes { get; set; } = [];

    public bool Deleted { get; set; }

    public ulong SequenceNumber { get; set; }

    public Dictionary<string, ulong>? SequenceNumberForAllocation { get; set; }
}

internal sealed class AttributeSpec
{
    [JsonPropertyName("handle_id")]
    public string? HandleId { get; set; }

    public Dictionary<string, string>? Secondary { get; set; }
}

internal sealed class AffinitySpec
{
    public string Node { get; set; } = "";

    public string Cidr { get; set; } = "";

    public string State { get; set; } = "";
}

internal sealed class HandleSpec
{
    [JsonPropertyName("handleID")]
    public string HandleId { get; set; } = "";

    public Dictionary<string, int> Block { get; set; } = [];

    public bool Deleted { get; set; }
}

internal sealed class ReservationSpec
{
    [JsonPropertyName("reservedCIDRs")]
    public List<string> ReservedCidrs { get; set; } = [];
}

internal sealed class PoolSpec
{
    public string Cidr { get; set; } = "";

    public int? BlockSize { get; set; }

    public string? NodeSelector { get; set; }

    public bool Disabled { get; set; }

    public string? IpipMode { get; set; }

    public string? VxlanMode { get; set; }

    public bool NatOutgoing { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IpamDocument<BlockSpec>))]
[JsonSerializable(typeof(IpamDocument<AffinitySpec>))]
[JsonSerializable(typeof(IpamDocument<HandleSpec>))]
[JsonSerializable(typeof(IpamDocument<ReservationSpec>))]
[JsonSerializable(typeof(IpamDocument<PoolSpec>))]
internal sealed partial class IpamJsonContext : JsonSerializerContext;
