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
        var seen = new HashSet<ResourceKey>();
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
        var values = new List<T>();
        var all = resources as IReadOnlyList<StoredResource> ?? resources.ToArray();
        var fresh = Parse(all, read);
        foreach (var resource in all)
        {
            seen.Add(resource.Key);
            if (!parsed.TryGetValue(resource.Key, out var cached) || cached.Revision != resource.Revision)
            {
                cached = fresh?[resource.Key] ?? Parse(resource, read);
                parsed[resource.Key] = cached;
            }

            if (cached.Value is PolicyProblem problem)
            {
                problems.Add(problem);
            }
            else
            {
                values.Add((T)cached.Value);
            }
        }

        return values;
    }

    /// <summary>
    /// With many resources not read yet (the first apply, a resync), they are parsed on every CPU
    /// at once (the readers are pure); null when there are few, which are parsed in turn.
    /// </summary>
    private Dictionary<ResourceKey, (string Revision, object Value)>? Parse<T>(IReadOnlyList<StoredResource> resources, Func<StoredResource, T> read)
        where T : class
    {
        var stale = resources.Where(r => !parsed.TryGetValue(r.Key, out var cached) || cached.Revision != r.Revision).ToArray();
        if (stale.Length < ParallelFrom || Environment.ProcessorCount < 2)
        {
            return null;
        }

        var values = new (string Revision, object Value)[stale.Length];
        Parallel.For(0, stale.Length, i => values[i] = Parse(stale[i], read));
        var byKey = new Dictionary<ResourceKey, (string Revision, object Value)>(stale.Length);
        for (var i = 0; i < stale.Length; i++)
        {
            byKey[stale[i].Key] = values[i];
        }

        return byKey;
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
