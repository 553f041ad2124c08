using Routing.Agent.Datastore.Store;
using Routing.Agent.PolicyRules;

namespace Routing.Policy.Tests.NodeLoop;

public sealed class NodePolicyCalculationTests
{
    private static StoredResource Pod(string ns, string name, string node, string address, string revision = "1") =>
        new(new ResourceKey("Pod", ns, name), $$$"""{"metadata": {"namespace": "{{{ns}}}", "name": "{{{name}}}"}, "spec": {"nodeName": "{{{node}}}"}, "status": {"podIPs": [{"ip": "{{{address}}}"}]}}""", revision);

    private static StoredResource Global(string name, string spec, string revision = "1") =>
        new(ResourceKey.ClusterScoped("GlobalNetworkPolicy", name), $$$"""{"metadata": {"name": "{{{name}}}"}, "spec": {{{spec}}}}""", revision);

    [Fact]
    public void This_nodes_pods_get_the_CNIs_interface_names_and_others_are_peers()
    {
        var result = new NodePolicyCalculation("node1").Calculate([], [Pod("default", "nginx", "node1", "10.0.0.1"), Pod("default", "far", "node2", "10.0.0.2")], [], []);

        Assert.Equal("calic440f455693", result.Model.Endpoint("default", "nginx")!.HostInterface);
        Assert.False(result.Model.Endpoint("default", "far")!.IsLocal);
        Assert.Empty(result.Problems);
    }

    [Fact]
    public void An_invalid_policy_is_left_out_and_reported_and_the_others_stay()
    {
        var calculation = new NodePolicyCalculation("node1");
        var good = Global("good", """{"order": 1, "ingress": [{"action": "Deny", "source": {"nets": ["10.0.0.0/8"]}}]}""");
        var bad = Global("bad", """{"order": "first", "ingress": [{"action": "Drop", "protocol": "TCP", "destination": {"ports": ["http-", 70000]}, "icmp": {}}]}""");

        var result = calculation.Calculate([], [], [], [good, bad]);

        Assert.Equal(["good"], result.Model.GlobalPolicies.Select(p => p.Name));
        var problem = Assert.Single(result.Problems);
        Assert.Equal("GlobalNetworkPolicy/bad", problem.Resource);
        Assert.Equal(
            "spec.order: \"first\" is not a number; spec.ingress[0].icmp: not supported by this agent (it reads action, destination, protocol, source); "
            + "spec.ingress[0].action: \"Drop\" is not an action: use Allow, Deny, Log or Pass; "
            + "spec.ingress[0].destination.ports[0]: \"http-\" is neither a port, a range FIRST:LAST nor a port name (at most 15 lower-case letters, digits and single '-', with a letter); "
            + "spec.ingress[0].destination.ports[1]: 70000 is not a port: use 0 to 65535",
            problem.Reason);

        var fixedBad = Global("bad", """{"order": 2, "egress": [{"action": "Allow"}]}""", revision: "2");
        var again = calculation.Calculate([], [], [], [good, fixedBad]);
        Assert.Equal(["good", "bad"], again.Model.GlobalPolicies.Select(p => p.Name));
        Assert.Empty(again.Problems);
    }
}
