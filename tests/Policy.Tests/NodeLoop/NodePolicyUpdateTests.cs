using System.Net;
using Routing.Agent.Datastore.Store;
using Routing.Agent.PolicyRules;
using Routing.Policy.Model;

namespace Routing.Policy.Tests.NodeLoop;

/// <summary>A few pods changed on top of the last result give what the whole calculation gives.</summary>
public sealed class NodePolicyUpdateTests
{
    private static readonly string[] Namespaces = ["a", "b", "c"];

    private static StoredResource Pod(string ns, string name, string node, string address, string app, int revision) =>
        new(new ResourceKey("Pod", ns, name), $$$"""{"metadata": {"namespace": "{{{ns}}}", "name": "{{{name}}}", "labels": {"app": "{{{app}}}"}}, "spec": {"nodeName": "{{{node}}}"}, "status": {"podIPs": [{"ip": "{{{address}}}"}]}}""", revision.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static StoredResource Broken(string ns, string name, int revision) =>
        new(new ResourceKey("Pod", ns, name), $$$"""{"metadata": {"namespace": "{{{ns}}}", "name": "{{{name}}}"}, "status": {"podIPs": [{"ip": "not an address"}]}}""", revision.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Pods_relabelled_readdressed_added_broken_and_deleted_one_change_at_a_time_give_the_whole_calculations_model(int seed)
    {
        var random = new Random(seed);
        var pods = new Dictionary<ResourceKey, StoredResource>();
        var revision = 1;
        StoredResource Random(string ns, string name) =>
            random.Next(10) == 0 ? Broken(ns, name, revision++)
            : Pod(ns, name, random.Next(3) == 0 ? "node1" : "node2", $"10.0.0.{random.Next(1, 40)}", $"app{random.Next(5)}", revision++);

        for (var i = 0; i < 60; i++)
        {
            var pod = Random(Namespaces[i % 3], $"pod{i}");
            pods[pod.Key] = pod;
        }

        var incremental = new NodePolicyCalculation("node1");
        var last = incremental.Calculate([], pods.Values, [], []);
        for (var step = 0; step < 300; step++)
        {
            var changes = new Dictionary<ResourceKey, StoredResource?>();
            for (var c = random.Next(1, 4); c > 0; c--)
            {
                var key = new ResourceKey("Pod", Namespaces[random.Next(3)], $"pod{random.Next(80)}");
                if (pods.ContainsKey(key) && random.Next(4) == 0)
                {
                    pods.Remove(key);
                    changes[key] = null;
                }
                else
                {
                    var pod = Random(key.Namespace, key.Name);
                    pods[key] = pod;
                    changes[key] = pod;
                }
            }

            last = incremental.Update(last, changes);
            var whole = new NodePolicyCalculation("node1").Calculate([], pods.Values, [], []);

            Assert.Equal(Describe(whole.Model), Describe(last.Model));
            Assert.Equal(whole.Problems, last.Problems);
            for (var host = 1; host < 40; host++)
            {
                var address = IPAddress.Parse($"10.0.0.{host}");
                Assert.Equal(whole.Model.EndpointAt(address)?.Key, last.Model.EndpointAt(address)?.Key);
            }
        }
    }

    private static string[] Describe(PolicyModel model) =>
        [.. model.Endpoints.Select(e => $"{e.Key} {string.Join(",", e.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))} {string.Join(",", e.Addresses)} {e.HostInterface}")];
}
