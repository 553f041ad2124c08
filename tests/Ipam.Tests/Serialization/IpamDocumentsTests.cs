using System.Text.Json.Nodes;
using Routing.Ipam.Blocks;
using Routing.Ipam.Handles;
using Routing.Ipam.Pools;
using Routing.Ipam.Reservations;
using Routing.Ipam.Serialization;
using static Routing.Ipam.Tests.IpamTestBed;

namespace Routing.Ipam.Tests.Serialization;

public class IpamDocumentsTests
{
    [Fact]
    public void A_block_round_trips_with_Calicos_field_names()
    {
        var block = new AllocationBlock(Net("10.0.0.0/30"), "n1", strictAffinity: true);
        var pod = new AllocationAttribute("k8s-pod-network.abc.eth0", new Dictionary<string, string> { ["namespace"] = "default", ["pod"] = "web" });
        block.AutoAssign(2, pod);
        block.Release(Ip("10.0.0.0"));
        block.AutoAssign(1, new AllocationAttribute("tunnel"));

        var json = IpamDocuments.Serialize(block);
        var document = JsonNode.Parse(json)!;
        Assert.Equal("routing.dev/v1", (string?)document["apiVersion"]);
        Assert.Equal("IPAMBlock", (string?)document["kind"]);
        Assert.Equal("10-0-0-0-30", (string?)document["metadata"]!["name"]);
        var spec = document["spec"]!;
        Assert.Equal("10.0.0.0/30", (string?)spec["cidr"]);
        Assert.Equal("host:n1", (string?)spec["affinity"]);
        Assert.True((bool)spec["strictAffinity"]!);
        Assert.Equal("[null,0,1,null]", spec["allocations"]!.ToJsonString());
        Assert.Equal("[3,0]", spec["unallocated"]!.ToJsonString());
        Assert.Equal("k8s-pod-network.abc.eth0", (string?)spec["attributes"]![0]!["handle_id"]);
        Assert.Equal("web", (string?)spec["attributes"]![0]!["secondary"]!["pod"]);
        Assert.Equal(3UL, (ulong)spec["sequenceNumber"]!);
        Assert.Equal("""{"1":1,"2":2}""", spec["sequenceNumberForAllocation"]!.ToJsonString());
        Assert.False((bool)spec["deleted"]!);

        var back = IpamDocuments.Deserialize<AllocationBlock>(json);
        Assert.Equal(json, IpamDocuments.Serialize(back));
        Assert.Equal(block.EnumerateAllocations(), back.EnumerateAllocations());
        Assert.Equal(block.Unallocated, back.Unallocated);
        Assert.Equal("n1", back.AffineNode);
    }

    [Fact]
    public void An_IPv6_block_round_trips()
    {
        var block = new AllocationBlock(Net("fd00::40/122"), "n1");
        block.AutoAssign(3, new AllocationAttribute("h"));
        var back = IpamDocuments.Deserialize<AllocationBlock>(IpamDocuments.Serialize(block));
        Assert.Equal(block.Cidr, back.Cidr);
        Assert.Equal(block.EnumerateAllocations(), back.EnumerateAllocations());
    }

    [Fact]
    public void Affinities_handles_reservations_and_pools_round_trip()
    {
        var affinity = new BlockAffinity("n1", Net("10.0.0.64/26"), AffinityState.PendingDeletion);
        var json = IpamDocuments.Serialize(affinity);
        Assert.Contains("\"state\":\"pendingDeletion\"", json, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"n1-10-0-0-64-26\"", json, StringComparison.Ordinal);
        Assert.Equal(affinity, IpamDocuments.Deserialize<BlockAffinity>(json));

        var handle = new IpamHandle("k8s-pod-network.abc.eth0").WithDelta("10.0.0.64/26", 2).WithDelta("fd00::/122", 1);
        json = IpamDocuments.Serialize(handle);
        Assert.Contains("\"handleID\":\"k8s-pod-network.abc.eth0\"", json, StringComparison.Ordinal);
        Assert.Contains("\"block\":{\"10.0.0.64/26\":2,\"fd00::/122\":1}", json, StringComparison.Ordinal);
        Assert.Equal(handle, IpamDocuments.Deserialize<IpamHandle>(json));

        var reservation = IPReservation.Parse("infra", ["10.0.0.0/30", "10.0.0.9", "fd00::1"]);
        json = IpamDocuments.Serialize(reservation);
        Assert.Contains("\"reservedCIDRs\":[\"10.0.0.0/30\",\"10.0.0.9/32\",\"fd00::1/128\"]", json, StringComparison.Ordinal);
        Assert.Equal(reservation, IpamDocuments.Deserialize<IPReservation>(json));

        var pool = new IPPool { Name = "default", Cidr = "10.244.0.0/16", BlockSize = 24, IpipMode = EncapsulationMode.CrossSubnet, NatOutgoing = true, NodeSelector = "zone == 'a'" };
        json = IpamDocuments.Serialize(pool);
        foreach (var field in new[] { "\"cidr\":", "\"blockSize\":24", "\"ipipMode\":\"CrossSubnet\"", "\"vxlanMode\":\"Never\"", "\"natOutgoing\":true", "\"nodeSelector\":", "\"disabled\":false" })
        {
            Assert.Contains(field, json, StringComparison.Ordinal);
        }

        Assert.Equal(pool, IpamDocuments.Deserialize<IPPool>(json));
    }

    [Theory]
    [InlineData("""{"apiVersion":"routing.dev/v1","kind":"BlockAffinity","metadata":{"name":"x"},"spec":{"node":"n1","cidr":"10.0.0.0/26","state":"maybe"}}""", "spec.state 'maybe'")]
    [InlineData("""{"apiVersion":"routing.dev/v1","kind":"BlockAffinity","metadata":{"name":"x"},"spec":{"node":"n1","cidr":"10.0.0.1/26","state":"pending"}}""", "spec.cidr '10.0.0.1/26'")]
    [InlineData("""{"apiVersion":"routing.dev/v1","kind":"IPAMHandle","metadata":{"name":"x"},"spec":{"node":"n1"}}""", "kind is 'IPAMHandle', expected BlockAffinity")]
    [InlineData("""{"apiVersion":"v2","kind":"BlockAffinity","metadata":{"name":"x"},"spec":{}}""", "apiVersion is 'v2'")]
    [InlineData("""{"apiVersion":"routing.dev/v1","kind":"BlockAffinity","metadata":{"name":"x"}}""", "spec is missing")]
    [InlineData("""{"apiVersion":"routing.dev/v1","kind":"BlockAffinity","metadata":{"name":"x"},"spec":{"node":7}}""", "not a valid document at $.spec.node")]
    public void Bad_affinity_documents_name_the_field(string json, string message)
    {
        var error = Assert.Throws<FormatException>(() => IpamDocuments.Deserialize<BlockAffinity>(json));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_block_pool_and_reservation_documents_name_the_field()
    {
        var block = """{"apiVersion":"routing.dev/v1","kind":"IPAMBlock","metadata":{"name":"b"},"spec":{"cidr":"10.0.0.0/30","allocations":[null,null,null,null],"unallocated":[0,1,2],"attributes":[]}}""";
        Assert.Contains("ordinal 3 is neither allocated", Assert.Throws<FormatException>(() => IpamDocuments.Deserialize<AllocationBlock>(block)).Message, StringComparison.Ordinal);
        var pool = """{"apiVersion":"routing.dev/v1","kind":"IPPool","metadata":{"name":"p"},"spec":{"cidr":"10.0.0.0/16","ipipMode":"Sometimes"}}""";
        Assert.Contains("IPPool p: spec.ipipMode 'Sometimes'", Assert.Throws<FormatException>(() => IpamDocuments.Deserialize<IPPool>(pool)).Message, StringComparison.Ordinal);
        var reservation = """{"apiVersion":"routing.dev/v1","kind":"IPReservation","metadata":{"name":"r"},"spec":{"reservedCIDRs":["10.0.0.0/24","nope"]}}""";
        Assert.Contains("IPReservation r: spec.reservedCIDRs[1] 'nope'", Assert.Throws<FormatException>(() => IpamDocuments.Deserialize<IPReservation>(reservation)).Message, StringComparison.Ordinal);
    }
}
