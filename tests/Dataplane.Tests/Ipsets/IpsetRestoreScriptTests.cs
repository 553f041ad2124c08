using System.Net.Sockets;
using Routing.Dataplane.Ipsets;

namespace Routing.Dataplane.Tests.Ipsets;

public class IpsetRestoreScriptTests
{
    private static Ipset Set(string name, params string[] members) => new(name, IpsetType.HashNet, AddressFamily.InterNetwork, members);

    [Fact]
    public void Each_kind_of_update_renders_its_commands()
    {
        var swapped = Set("rt-b", "10.2.0.0/16");
        var temporary = IpsetNames.TemporaryFor("rt-", "rt-b");
        var plan = new IpsetPlan(
            [
                new IpsetUpdate(Set("rt-a", "10.1.0.0/16"), IpsetUpdateKind.Create, [], []),
                new IpsetUpdate(swapped, IpsetUpdateKind.Swap, [], []),
                new IpsetUpdate(Set("rt-c"), IpsetUpdateKind.Swap, [], []),
                new IpsetUpdate(Set("rt-d", "10.4.0.0/16"), IpsetUpdateKind.Incremental, ["10.4.0.0/16"], ["10.5.0.0/16"]),
                new IpsetUpdate(Set("rt-e", "10.6.0.0/16"), IpsetUpdateKind.Recreate, [], []),
            ],
            ["rt-old"]);

        Assert.Equal(
            $"""
            create rt-a hash:net family inet maxelem 1024
            add rt-a 10.1.0.0/16
            create {temporary} hash:net family inet maxelem 1024
            flush {temporary}
            add {temporary} 10.2.0.0/16
            swap {temporary} rt-b
            destroy {temporary}
            flush rt-c
            add rt-d 10.4.0.0/16
            del rt-d 10.5.0.0/16
            destroy rt-e
            create rt-e hash:net family inet maxelem 1024
            add rt-e 10.6.0.0/16

            """,
            IpsetRestoreScript.RenderUpdates(plan, "rt-", 1024));
        Assert.Equal("destroy rt-old\n", IpsetRestoreScript.RenderDestroys(plan));
    }

    [Fact]
    public void A_refused_line_is_named()
    {
        var error = IpsetRestoreErrors.From("create rt-a hash:ip family inet\nadd rt-a bogus\n", "ipset v7.17: Error in line 2: Syntax error: cannot parse bogus: resolving to IPv4 address failed\n");

        Assert.Equal(2, error.LineNumber);
        Assert.Equal("add rt-a bogus", error.FailedLine);
        Assert.Contains("cannot parse bogus", error.Message, StringComparison.Ordinal);
    }
}
