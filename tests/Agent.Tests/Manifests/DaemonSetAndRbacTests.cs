using Routing.Agent.Cli;
using Routing.Agent.Datastore.Kubernetes;

namespace Routing.Agent.Tests.Manifests;

/// <summary>What the DaemonSet and the RBAC rules promise an operator who applies them.</summary>
public sealed class DaemonSetAndRbacTests
{
    private static readonly YamlDotNet.RepresentationModel.YamlMappingNode DaemonSet = Manifests.Documents(Manifests.Path("daemonset.yaml")).Single();
    private static readonly YamlDotNet.RepresentationModel.YamlMappingNode Pod = Manifests.Map(DaemonSet, "spec", "template", "spec");

    [Fact]
    public void The_agent_runs_on_every_node_in_the_host_network_privileged()
    {
        Assert.Equal("true", Manifests.Text(Pod, "hostNetwork"));
        var toleration = Assert.Single(Manifests.Seq(Pod, "tolerations"));
        Assert.Equal("Exists", Manifests.Text(toleration, "operator"));
        Assert.False(((YamlDotNet.RepresentationModel.YamlMappingNode)toleration).Children.ContainsKey("key"), "a toleration without a key tolerates every taint");
        Assert.Equal("system-node-critical", Manifests.Text(Pod, "priorityClassName"));
        var agent = Manifests.Map(Assert.Single(Manifests.Seq(Pod, "containers")));
        Assert.Equal("true", Manifests.Text(agent, "securityContext", "privileged"));
        Assert.Equal("spec.nodeName", Manifests.Text(Manifests.Map(Assert.Single(Manifests.Seq(agent, "env"))), "valueFrom", "fieldRef", "fieldPath"));
    }

    [Fact]
    public void The_commands_are_ones_routing_accepts()
    {
        foreach (var container in Manifests.Seq(Pod, "initContainers").Concat(Manifests.Seq(Pod, "containers")))
        {
            var command = Manifests.Texts(container, "command");
            Assert.Equal("routing", command[0]);
            var parse = RoutingCommand.Create().Parse([.. command.Skip(1).Select(a => a.Replace("$(NODE_NAME)", "node1", StringComparison.Ordinal))]);
            Assert.True(parse.Errors.Count == 0, string.Join("; ", parse.Errors.Select(e => e.Message)));
        }
    }

    [Fact]
    public void The_probes_ask_the_agents_health_listener()
    {
        var agent = Manifests.Map(Manifests.Seq(Pod, "containers")[0]);
        var command = Manifests.Texts(agent, "command");
        var listener = command[command.ToList().IndexOf("--metrics") + 1];
        foreach (var (probe, path) in new[] { ("livenessProbe", "/livez"), ("readinessProbe", "/readyz") })
        {
            var get = Manifests.Map(agent, probe, "httpGet");
            Assert.Equal(path, Manifests.Text(get, "path"));
            Assert.Equal(listener, $"{Manifests.Text(get, "host")}:{Manifests.Text(get, "port")}");
        }
    }

    [Fact]
    public void The_init_container_installs_the_plugin_into_the_hosts_CNI_directories()
    {
        var init = Manifests.Map(Assert.Single(Manifests.Seq(Pod, "initContainers")));
        var command = Manifests.Texts(init, "command").ToList();
        Assert.Equal("install-cni", command[1]);
        var volumes = Manifests.Seq(Pod, "volumes").ToDictionary(v => Manifests.Text(v, "name"), v => Manifests.Text(v, "hostPath", "path"));
        var mounts = Manifests.Seq(init, "volumeMounts").ToDictionary(m => Manifests.Text(m, "mountPath"), m => volumes[Manifests.Text(m, "name")]);
        Assert.Equal("/opt/cni/bin", mounts[command[command.IndexOf("--bin-dir") + 1]]);
        Assert.Equal("/etc/cni/net.d", mounts[command[command.IndexOf("--conf-dir") + 1]]);

        // The agent's API socket is where the host's routing-cni looks for it.
        var agent = Manifests.Map(Manifests.Seq(Pod, "containers")[0]);
        var socketMount = Manifests.Seq(agent, "volumeMounts").Single(m => Manifests.Text(m, "name") == "run-routing");
        Assert.Equal("/run/routing", Manifests.Text(socketMount, "mountPath"));
        Assert.Equal("/run/routing", volumes["run-routing"]);
        Assert.StartsWith("/run/routing/", Routing.Agent.Api.ApiServer.DefaultSocket, StringComparison.Ordinal);
    }

    [Fact]
    public void RBAC_grants_reading_every_kind_the_agent_watches_and_writing_only_IPAM_and_RoutingNodes()
    {
        var documents = Manifests.Documents(Manifests.Path("rbac.yaml"));
        var role = documents.Single(d => Manifests.Text(d, "kind") == "ClusterRole");
        var rules = Manifests.Seq(role, "rules")
            .SelectMany(r => Manifests.Texts(r, "apiGroups").SelectMany(g => Manifests.Texts(r, "resources").Select(res => (Group: g, Resource: res, Verbs: Manifests.Texts(r, "verbs")))))
            .ToList();

        Assert.DoesNotContain(rules, r => r.Group == "*" || r.Resource == "*" || r.Verbs.Contains("*"));
        Assert.DoesNotContain(rules, r => r.Resource == "secrets");
        foreach (var kind in KubernetesKinds.All)
        {
            var verbs = rules.Where(r => r.Group == kind.Group && r.Resource == kind.Plural).SelectMany(r => r.Verbs).ToHashSet();
            Assert.True(verbs.IsSupersetOf(["get", "list", "watch"]), $"{kind.Kind}: the agent lists and watches it");
        }

        string[] written = ["ipamblocks", "blockaffinities", "ipamhandles", "routingnodes"];
        Assert.All(rules.Where(r => r.Verbs.Except(["get", "list", "watch"]).Any()), r => Assert.Contains(r.Resource, written));

        // The binding gives the role to the DaemonSet's service account.
        var binding = documents.Single(d => Manifests.Text(d, "kind") == "ClusterRoleBinding");
        var account = documents.Single(d => Manifests.Text(d, "kind") == "ServiceAccount");
        var subject = Assert.Single(Manifests.Seq(binding, "subjects"));
        Assert.Equal(Manifests.Text(account, "metadata", "name"), Manifests.Text(subject, "name"));
        Assert.Equal(Manifests.Text(DaemonSet, "metadata", "namespace"), Manifests.Text(subject, "namespace"));
        Assert.Equal(Manifests.Text(account, "metadata", "name"), Manifests.Text(Pod, "serviceAccountName"));
        Assert.Equal(Manifests.Text(role, "metadata", "name"), Manifests.Text(binding, "roleRef", "name"));
    }
}
