using System.Text.Json;
using Routing.Agent.Datastore.Store;
using Routing.Policy.Model;

namespace Routing.Agent.PolicyRules;

/// <summary>
/// From the datastore's Namespaces, Pods, NetworkPolicies and GlobalNetworkPolicies to this node's
/// <see cref="PolicyModel"/>: every pod is a peer selectors can pick, the pods whose
/// <c>spec.nodeName</c> is this node are local (their veth named as the CNI names it). A resource
/// that cannot be read is left out and reported; the rest still make a model. The result depends
/// on the resources only; what was read is kept by revision, so an unchanged resource is not
/// parsed again.
/// </summary>
public sealed class NodePolicyCalculation(string nodeName)
{
    // Fewer resources to parse than this are parsed in turn: spreading them costs more than it gains.
    private const int ParallelFrom = 256;

    private readonly Dictionary<ResourceKey, (string Revision, object Value)> parsed = [];

    public NodePolicyResult Calculate(IEnumerable<StoredResource> namespaces, IEnumerable<StoredResource> pods, IEnumerable<StoredResource> policies, IEnumerable<StoredResource> globalPolicies)
    {
        var problems = new List<PolicyProblem>();
        var seen = new HashSet<ResourceKey>(parsed.Count);
        var model = new PolicyModel(
            Read<ClusterNamespace>(namespaces, r => PolicyResourceReader.ReadNamespace(r.Json), problems, seen),
            Read<Endpoint>(pods, ReadPod, problems, seen),
            Read<NetworkPolicy>(policies, r => PolicyResourceReader.ReadNetworkPolicy(r.Json), problems, seen),
            Read<GlobalNetworkPolicy>(globalPolicies, r => GlobalNetworkPolicyReader.Read(r.Json), problems, seen));
        foreach (var gone in parsed.Keys.Where(k => !seen.Contains(k)).ToArray())
        {
            parsed.Remove(gone);
        }

        return new NodePolicyResult(model, problems.OrderBy(p => p.Resource, StringComparer.Ordinal).ToArray());
    }

    /// <summary>
    /// <paramref name="last"/> (this calculation's) with some pods changed: each of <paramref name="pods"/>
    /// is a pod's current resource, or null where it was deleted. The same result as
    /// <see cref="Calculate"/> over every resource, at the cost of the changed pods only.
    /// </summary>
    public NodePolicyResult Update(NodePolicyResult last, IReadOnlyCollection<KeyValuePair<ResourceKey, StoredResource?>> pods)
    {
        ArgumentNullException.ThrowIfNull(last);
        ArgumentNullException.ThrowIfNull(pods);
        var removed = new List<string>();
        var upserted = new List<Endpoint>();
        var problems = last.Problems.ToList();
        foreach (var (key, resource) in pods)
        {
            if (parsed.Remove(key, out var before))
            {
                if (before.Value is Endpoint was)
                {
                    removed.Add(was.Key);
                }
                else
                {
                    problems.Remove((PolicyProblem)before.Value);
                }
            }

            if (resource is null)
            {
                continue;
            }

            var now = Parse(resource, ReadPod);
            parsed[key] = now;
            if (now.Value is Endpoint endpoint)
            {
                upserted.Add(endpoint);
            }
            else
            {
                problems.Add((PolicyProblem)now.Value);
            }
        }

        // A pod upserted under the key of one removed (a relabel) is put in its place.
        var upsertedKeys = upserted.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        removed.RemoveAll(upsertedKeys.Contains);
        return new NodePolicyResult(last.Model.WithEndpointChanges(removed, upserted), problems.OrderBy(p => p.Resource, StringComparer.Ordinal).ToArray());
    }

    private Endpoint ReadPod(StoredResource resource)
    {
        using var document = JsonDocument.Parse(resource.Json);
        var local = document.RootElement.TryGetProperty("spec", out var spec) && spec.ValueKind == JsonValueKind.Object
            && spec.TryGetProperty("nodeName", out var node) && node.ValueKind == JsonValueKind.String && node.ValueEquals(nodeName);
        var pod = PolicyResourceReader.ReadPod(document.RootElement);
        return local ? pod with { HostInterface = PodInterfaceName.For(pod.Namespace, pod.Name) } : pod;
    }

    private List<T> Read<T>(IEnumerable<StoredResource> resources, Func<StoredResource, T> read, List<PolicyProblem> problems, HashSet<ResourceKey> seen)
        where T : class
    {
        var all = resources as IReadOnlyList<StoredResource> ?? resources.ToArray();
        var values = new List<T>(all.Count);
        parsed.EnsureCapacity(parsed.Count + all.Count);
        seen.EnsureCapacity(seen.Count + all.Count);
        var fresh = Parse(all, read);
        for (var i = 0; i < all.Count; i++)
        {
            var resource = all[i];
            seen.Add(resource.Key);
            if (fresh?[i] is { } value)
            {
                parsed[resource.Key] = value;
            }
            else if (!parsed.TryGetValue(resource.Key, out value) || value.Revision != resource.Revision)
            {
                value = Parse(resource, read);
                parsed[resource.Key] = value;
            }

            if (value.Value is PolicyProblem problem)
            {
                problems.Add(problem);
            }
            else
            {
                values.Add((T)value.Value);
            }
        }

        return values;
    }

    /// <summary>
    /// With many resources not read yet (the first apply, a resync), they are parsed on every CPU
    /// at once (the readers are pure), each at its index (null where the kept one is current); null
    /// when there are few, which are parsed in turn.
    /// </summary>
    private (string Revision, object Value)?[]? Parse<T>(IReadOnlyList<StoredResource> resources, Func<StoredResource, T> read)
        where T : class
    {
        var stale = new List<int>();
        for (var i = 0; i < resources.Count; i++)
        {
            if (!parsed.TryGetValue(resources[i].Key, out var cached) || cached.Revision != resources[i].Revision)
            {
                stale.Add(i);
            }
        }

        if (stale.Count < ParallelFrom || Environment.ProcessorCount < 2)
        {
            return null;
        }

        var values = new (string Revision, object Value)?[resources.Count];
        Parallel.For(0, stale.Count, i => values[stale[i]] = Parse(resources[stale[i]], read));
        return values;
    }

    private static (string Revision, object Value) Parse<T>(StoredResource resource, Func<StoredResource, T> read)
        where T : class
    {
        try
        {
            return (resource.Revision, read(resource));
        }
        catch (PolicyResourceException e)
        {
            return (resource.Revision, new PolicyProblem(resource.Key.ToString(), string.Join("; ", e.Errors)));
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or ArgumentException)
        {
            return (resource.Revision, new PolicyProblem(resource.Key.ToString(), e.Message));
        }
    }
}

/// <summary>The node's policy model, and what was left out of it.</summary>
public sealed record NodePolicyResult(PolicyModel Model, IReadOnlyList<PolicyProblem> Problems);
