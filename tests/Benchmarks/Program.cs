using BenchmarkDotNet.Running;
using Routing.Benchmarks.Dataplane;
using Routing.Benchmarks.Ipam;

// Runs the hot-path benchmarks of every project; pick with --filter, e.g. --filter '*Codec*'.
//
// The benchmarks always run in this process (--inProcess, BenchmarkDotNet's InProcessEmitToolchain)
// rather than in a child process built from a generated project: BenchmarkDotNet 0.14 finds the
// project to build by the assembly's name (Routing.Benchmarks.csproj), which Directory.Build.props
// makes differ from this Benchmarks.csproj, so the child build fails. The switch goes on the command
// line rather than into a config's default job, because such a job would override --job.
// Build with -c Release: the code measured is this build's.
//
// Modes that are not BenchmarkDotNet runs, each the timed part of a bench/ script:
// `iptables-apply …` (real iptables-restore in namespaces the script made), `routes …` (routes
// installed, removed and diffed in a namespace, see Dataplane/RoutesRun.cs) and `ipam …` (a real
// etcd and a file store the script made), and `services …` (the service proxy in a namespace, see
// Services/ServicesRun.cs).
if (args is ["iptables-apply", .. var rest])
{
    return await IptablesApplyRun.RunAsync(rest);
}

if (args is ["services", .. var servicesArgs])
{
    return await Routing.Benchmarks.Services.ServicesRun.RunAsync(servicesArgs);
}

if (args is ["routes", .. var routesArgs])
{
    return RoutesRun.Run(routesArgs);
}

if (args is ["policy", .. var policyArgs])
{
    return await Routing.Benchmarks.Policy.PolicyApplyRun.RunAsync(policyArgs);
}

if (args is ["policy-compile", .. var compileArgs])
{
    return Routing.Benchmarks.Policy.PolicyCompileLoop.Run(compileArgs);
}

if (args is ["ipam", .. var ipamArgs])
{
    return await IpamThroughputRun.RunAsync(ipamArgs);
}

var arguments = args.Any(a => a is "-i" or "--inProcess") ? args : [.. args, "--inProcess"];
// By a type of this assembly: the agent's (referenced for bench/ipam) Program is another.
BenchmarkSwitcher.FromAssembly(typeof(IpamThroughputRun).Assembly).Run(arguments);
return 0;
