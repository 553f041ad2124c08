using System.CommandLine;
using Routing.Agent.Cli;

namespace Routing.Agent.Lab;

/// <summary><c>routing lab up|status|down</c>: a whole cluster in network namespaces on this machine.</summary>
internal static class LabCommand
{
    public const string DefaultPrefix = "rlab";

    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "The lab's name: every namespace it makes starts with it", DefaultValueFactory = _ => DefaultPrefix };
        var nodes = new Option<int>("--nodes") { Description = "Nodes, spread over the racks", DefaultValueFactory = _ => 3 };
        var racks = new Option<int>("--racks") { Description = "Racks, each with a BIRD top-of-rack router", DefaultValueFactory = _ => 2 };
        var pods = new Option<int>("--pods") { Description = "Pods per node", DefaultValueFactory = _ => 2 };
        var encap = new Option<string>("--encap") { Description = "Pod traffic between nodes: none (routed by the racks' routers), vxlan or ipip", DefaultValueFactory = _ => "none" };
        encap.AcceptOnlyFromAmong("none", "vxlan", "ipip");
        var cni = new Option<string?>("--cni") { Description = "The routing-cni executable (default: beside this one, or on PATH)" };
        var policy = new Option<bool>("--policy") { Description = "Agents enforce NetworkPolicy on the pods (Pods in namespace lab, labelled app=<pod name>)" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for every pod to reach every other", DefaultValueFactory = _ => 90 };

        var up = new Command("up", "Build the lab: etcd, racks with BIRD routers, nodes running routing agent, pods wired by routing-cni; wait until it converges and show it")
        {
            name, nodes, racks, pods, encap, cni, timeout, policy,
        };
        up.SetAction(async (parse, cancellationToken) =>
        {
            var prefix = parse.GetValue(name)!;
            RequireRoot();
            if (LabState.Load(prefix) is not null)
            {
                throw new CliException($"a lab named {prefix} is already up: `routing lab down --name {prefix}` first");
            }

            var encapsulation = parse.GetValue(encap)!;
            if (encapsulation == "ipip" && !Directory.Exists("/sys/module/ipip"))
            {
                throw new CliException("--encap ipip: this kernel has no ipip module (tunl0 cannot exist); use --encap vxlan or --encap none");
            }

            LabPlan plan;
            try
            {
                plan = LabPlan.Create(prefix, parse.GetValue(nodes), parse.GetValue(racks), parse.GetValue(pods), encapsulation);
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new CliException(e.Message.Split(" (Parameter")[0]);
            }

            var output = parse.InvocationConfiguration.Output;
            var runner = new LabRunner(plan, output) { Policy = parse.GetValue(policy) };
            try
            {
                await runner.UpAsync(FindCni(parse.GetValue(cni)), TimeSpan.FromSeconds(parse.GetValue(timeout)), cancellationToken).ConfigureAwait(false);
            }
            catch (LabException e)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"lab: {e.Message}\nlab: it stays as it is for a look; `routing lab down --name {prefix}` removes it").ConfigureAwait(false);
                return 1;
            }

            await LabStatus.PrintAsync(plan, LabState.Load(prefix)!, output, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"lab {prefix} is up. Try: routing lab status | ip netns exec {plan.Nodes[0].Pods[0].Namespace} ping <pod> | routing lab down").ConfigureAwait(false);
            return 0;
        });

        var status = new Command("status", "BGP sessions on every node and router, each node's routes, and the pod reachability matrix") { name };
        status.SetAction(async (parse, cancellationToken) =>
        {
            var state = Existing(parse.GetValue(name)!);
            var plan = LabPlan.Create(state.Prefix, state.Nodes, state.Racks, state.PodsPerNode, state.Encapsulation);
            await LabStatus.PrintAsync(plan, state, parse.InvocationConfiguration.Output, cancellationToken).ConfigureAwait(false);
            return 0;
        });

        var down = new Command("down", "Stop what the lab started and remove its namespaces, and nothing else") { name };
        down.SetAction(async (parse, _) =>
        {
            RequireRoot();
            await LabRunner.DownAsync(Existing(parse.GetValue(name)!), parse.InvocationConfiguration.Output).ConfigureAwait(false);
            return 0;
        });

        var node = new Argument<string>("node") { Description = "The node whose agent to start (node1, node2, …)" };
        var startAgent = new Command("start-agent", "Start a node's agent again after it was stopped or killed (it adopts the routes it left)") { name, node };
        startAgent.SetAction(async (parse, cancellationToken) =>
        {
            RequireRoot();
            var state = Existing(parse.GetValue(name)!);
            var plan = LabPlan.Create(state.Prefix, state.Nodes, state.Racks, state.PodsPerNode, state.Encapsulation);
            var started = await new LabRunner(plan, parse.InvocationConfiguration.Output, state).StartAgentAsync(parse.GetValue(node)!, cancellationToken).ConfigureAwait(false);
            await parse.InvocationConfiguration.Output.WriteLineAsync(started ? $"{parse.GetValue(node)}: agent started" : $"{parse.GetValue(node)}: its agent is running already").ConfigureAwait(false);
            return 0;
        });

        return new Command("lab", "A cluster in network namespaces on this machine: racks, routers, nodes and pods") { up, status, down, startAgent };
    }

    private static LabState Existing(string prefix) =>
        LabState.Load(prefix) ?? throw new CliException($"no lab named {prefix} is up (`routing lab up` builds one)");

    private static void RequireRoot()
    {
        if (Environment.UserName != "root")
        {
            throw new CliException("the lab makes network namespaces: run it as root");
        }
    }

    private static string FindCni(string? given)
    {
        if (given is not null)
        {
            return File.Exists(given) ? Path.GetFullPath(given) : throw new CliException($"--cni: {given} does not exist");
        }

        var self = Environment.ProcessPath is { } path ? new FileInfo(path).ResolveLinkTarget(true)?.FullName ?? path : null;
        var candidates = new[]
        {
            self is null ? null : Path.Combine(Path.GetDirectoryName(self)!, "routing-cni"),
            self is null ? null : Path.Combine(Path.GetDirectoryName(self)!, "..", "..", "bin", "routing-cni"),
            Path.Combine(AppContext.BaseDirectory, "..", "..", "bin", "routing-cni"),
        }.Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "routing-cni")));
        return candidates.FirstOrDefault(c => c is not null && File.Exists(c)) is { } found
            ? Path.GetFullPath(found)
            : throw new CliException("routing-cni not found: build it (scripts/setup) or pass --cni PATH");
    }
}
