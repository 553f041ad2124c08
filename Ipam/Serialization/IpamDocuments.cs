using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Routing.Ipam.Addresses;
using Routing.Ipam.Blocks;
using Routing.Ipam.Handles;
using Routing.Ipam.Pools;
using Routing.Ipam.Reservations;
using Routing.Ipam.Store;

namespace Routing.Ipam.Serialization;

/// <summary>
/// IPAM records as the JSON documents the agent's datastores keep: <c>apiVersion: routing.dev/v1</c>,
/// a kind (<see cref="IpamKinds"/>), <c>metadata.name</c> and a <c>spec</c>. Reading checks the
/// document and names the field that is wrong in a <see cref="FormatException"/>.
/// </summary>
public static class IpamDocuments
{
    /// <summary>The document of a record, with its kind.</summary>
    public static string Serialize(IIpamRecord record) => record switch
    {
        AllocationBlock block => Write(IpamKinds.Block, block.Name, ToSpec(block), IpamJsonContext.Default.IpamDocumentBlockSpec),
        BlockAffinity affinity => Write(IpamKinds.BlockAffinity, affinity.Name, ToSpec(affinity), IpamJsonContext.Default.IpamDocumentAffinitySpec),
        IpamHandle handle => Write(IpamKinds.Handle, handle.Name, ToSpec(handle), IpamJsonContext.Default.IpamDocumentHandleSpec),
        IPReservation reservation => Write(IpamKinds.IPReservation, reservation.Name, ToSpec(reservation), IpamJsonContext.Default.IpamDocumentReservationSpec),
        IPPool pool => Write(IpamKinds.IPPool, pool.Name, ToSpec(pool), IpamJsonContext.Default.IpamDocumentPoolSpec),
        null => throw new ArgumentNullException(nameof(record)),
        _ => throw new ArgumentException($"{record.GetType().Name} is not an IPAM record.", nameof(record)),
    };

    /// <summary>The document kind <typeparamref name="T"/> is stored as.</summary>
    public static string KindOf<T>()
        where T : class, IIpamRecord =>
        typeof(T) == typeof(AllocationBlock) ? IpamKinds.Block
        : typeof(T) == typeof(BlockAffinity) ? IpamKinds.BlockAffinity
        : typeof(T) == typeof(IpamHandle) ? IpamKinds.Handle
        : typeof(T) == typeof(IPReservation) ? IpamKinds.IPReservation
        : typeof(T) == typeof(IPPool) ? IpamKinds.IPPool
        : throw new ArgumentException($"{typeof(T).Name} is not an IPAM record.");

    /// <summary>Reads a document of the kind <typeparamref name="T"/> is stored as.</summary>
    public static T Deserialize<T>(string json)
        where T : class, IIpamRecord
    {
        object record = KindOf<T>() switch
        {
            IpamKinds.Block => FromSpec(Read(json, IpamKinds.Block, IpamJsonContext.Default.IpamDocumentBlockSpec)),
            IpamKinds.BlockAffinity => FromSpec(Read(json, IpamKinds.BlockAffinity, IpamJsonContext.Default.IpamDocumentAffinitySpec)),
            IpamKinds.Handle => FromSpec(Read(json, IpamKinds.Handle, IpamJsonContext.Default.IpamDocumentHandleSpec)),
            IpamKinds.IPReservation => FromSpec(Read(json, IpamKinds.IPReservation, IpamJsonContext.Default.IpamDocumentReservationSpec)),
            _ => FromSpec(Read(json, IpamKinds.IPPool, IpamJsonContext.Default.IpamDocumentPoolSpec)),
        };
        return (T)record;
    }

    private static string Write<TSpec>(string kind, string name, TSpec spec, JsonTypeInfo<IpamDocument<TSpec>> type)
        where TSpec : class =>
        JsonSerializer.Serialize(new IpamDocument<TSpec> { ApiVersion = IpamKinds.ApiVersion, Kind = kind, Metadata = new() { Name = name }, Spec = spec }, type);

    private static (string Name, TSpec Spec) Read<TSpec>(string json, string kind, JsonTypeInfo<IpamDocument<TSpec>> type)
        where TSpec : class
    {
        IpamDocument<TSpec>? document;
        try
        {
            document = JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{kind}: not a valid document at {e.Path ?? "$"}: {e.Message}", e);
        }

        if (document is null)
        {
            throw new FormatException($"{kind}: the document is empty.");
        }

        if (document.Kind != kind)
        {
            throw new FormatException($"{kind}: kind is '{document.Kind}', expected {kind}.");
        }

        if (document.ApiVersion != IpamKinds.ApiVersion)
        {
            throw new FormatException($"{kind} {document.Metadata.Name}: apiVersion is '{document.ApiVersion}', expected {IpamKinds.ApiVersion}.");
        }

        return (document.Metadata.Name, document.Spec ?? throw new FormatException($"{kind} {document.Metadata.Name}: spec is missing."));
    }

    private static System.Net.IPNetwork ParseCidr(string kind, string name, string field, string text) =>
        BlockCidr.TryParse(text, out var network)
            ? network
            : throw new FormatException($"{kind} {name}: {field} '{text}' is not a CIDR with no host bits set.");

    private static BlockSpec ToSpec(AllocationBlock block) => new()
    {
        Cidr = block.Cidr.ToString(),
        Affinity = block.Affinity,
        StrictAffinity = block.StrictAffinity,
        Allocations = [.. block.Allocations],
        Unallocated = [.. block.Unallocated],
        Attributes = [.. block.Attributes.Select(a => new AttributeSpec
        {
            HandleId = a.HandleId,
            Secondary = a.Secondary.Count == 0 ? null : a.Secondary.ToDictionary(StringComparer.Ordinal),
        })],
        Deleted = block.Deleted,
        SequenceNumber = block.SequenceNumber,
        SequenceNumberForAllocation = block.SequenceNumbers
            .OrderBy(s => s.Key)
            .ToDictionary(s => s.Key.ToString(CultureInfo.InvariantCulture), s => s.Value, StringComparer.Ordinal),
    };

    private static AllocationBlock FromSpec((string Name, BlockSpec Spec) document)
    {
        var (name, spec) = document;
        var cidr = ParseCidr(IpamKinds.Block, name, "spec.cidr", spec.Cidr);
        if (BlockCidr.AddressBits(cidr.BaseAddress.AddressFamily) - cidr.PrefixLength > 12)
        {
            throw new FormatException($"{IpamKinds.Block} {name}: spec.cidr {spec.Cidr} is larger than the largest block (4096 addresses).");
        }

        var sequences = new Dictionary<int, ulong>();
        foreach (var (ordinal, sequence) in spec.SequenceNumberForAllocation ?? [])
        {
            sequences[int.TryParse(ordinal, NumberStyles.None, CultureInfo.InvariantCulture, out var o)
                ? o
                : throw new FormatException($"{IpamKinds.Block} {name}: spec.sequenceNumberForAllocation key '{ordinal}' is not an ordinal.")] = sequence;
        }

        return AllocationBlock.Restore(
            cidr,
            spec.Affinity,
            spec.StrictAffinity,
            spec.Deleted,
            spec.SequenceNumber,
            spec.Allocations ?? throw new FormatException($"{IpamKinds.Block} {name}: spec.allocations is missing."),
            spec.Unallocated ?? throw new FormatException($"{IpamKinds.Block} {name}: spec.unallocated is missing."),
            [.. (spec.Attributes ?? []).Select(a => new AllocationAttribute(a.HandleId, a.Secondary))],
            sequences);
    }

    private static AffinitySpec ToSpec(BlockAffinity affinity) => new()
    {
        Node = affinity.Node,
        Cidr = affinity.Cidr.ToString(),
        State = affinity.State switch
        {
            AffinityState.Pending => "pending",
            AffinityState.Confirmed => "confirmed",
            _ => "pendingDeletion",
        },
    };

    private static BlockAffinity FromSpec((string Name, AffinitySpec Spec) document)
    {
        var (name, spec) = document;
        var state = spec.State switch
        {
            "pending" => AffinityState.Pending,
            "confirmed" => AffinityState.Confirmed,
            "pendingDeletion" => AffinityState.PendingDeletion,
            _ => throw new FormatException($"{IpamKinds.BlockAffinity} {name}: spec.state '{spec.State}' is not pending, confirmed or pendingDeletion."),
        };
        if (string.IsNullOrEmpty(spec.Node))
        {
            throw new FormatException($"{IpamKinds.BlockAffinity} {name}: spec.node is missing.");
        }

        return new BlockAffinity(spec.Node, ParseCidr(IpamKinds.BlockAffinity, name, "spec.cidr", spec.Cidr), state);
    }

    private static HandleSpec ToSpec(IpamHandle handle) => new()
    {
        HandleId = handle.HandleId,
        Block = handle.Blocks.ToDictionary(StringComparer.Ordinal),
    };

    private static IpamHandle FromSpec((string Name, HandleSpec Spec) document)
    {
        var (name, spec) = document;
        if (string.IsNullOrEmpty(spec.HandleId))
        {
            throw new FormatException($"{IpamKinds.Handle} {name}: spec.handleID is missing.");
        }

        spec.Block ??= [];
        foreach (var (block, count) in spec.Block)
        {
            ParseCidr(IpamKinds.Handle, name, "spec.block key", block);
            if (count < 0)
            {
                throw new FormatException($"{IpamKinds.Handle} {name}: spec.block[{block}] is {count}; counts are not negative.");
            }
        }

        return new IpamHandle(spec.HandleId, spec.Block.Where(b => b.Value > 0).ToImmutableSortedDictionary(StringComparer.Ordinal));
    }

    private static ReservationSpec ToSpec(IPReservation reservation) => new()
    {
        ReservedCidrs = [.. reservation.ReservedCidrs.Select(c => c.ToString())],
    };

    private static IPReservation FromSpec((string Name, ReservationSpec Spec) document) =>
        IPReservation.Parse(document.Name, document.Spec.ReservedCidrs);

    private static PoolSpec ToSpec(IPPool pool) => new()
    {
        Cidr = pool.Cidr,
        BlockSize = pool.BlockSize,
        NodeSelector = pool.NodeSelector,
        Disabled = pool.Disabled,
        IpipMode = pool.IpipMode.ToString(),
        VxlanMode = pool.VxlanMode.ToString(),
        NatOutgoing = pool.NatOutgoing,
    };

    private static IPPool FromSpec((string Name, PoolSpec Spec) document)
    {
        var (name, spec) = document;
        return new IPPool
        {
            Name = name,
            Cidr = spec.Cidr,
            BlockSize = spec.BlockSize,
            NodeSelector = spec.NodeSelector ?? IPPool.AllNodes,
            Disabled = spec.Disabled,
            IpipMode = Mode(name, "spec.ipipMode", spec.IpipMode),
            VxlanMode = Mode(name, "spec.vxlanMode", spec.VxlanMode),
            NatOutgoing = spec.NatOutgoing,
        };
    }

    private static EncapsulationMode Mode(string name, string field, string? text) =>
        text is null ? EncapsulationMode.Never
        : Enum.TryParse<EncapsulationMode>(text, ignoreCase: true, out var mode) && Enum.IsDefined(mode) && !int.TryParse(text, out _) ? mode
        : throw new FormatException($"{IpamKinds.IPPool} {name}: {field} '{text}' is not Never, Always or CrossSubnet.");
}
