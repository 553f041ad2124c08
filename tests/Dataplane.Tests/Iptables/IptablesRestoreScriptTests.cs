using Routing.Dataplane.Iptables;

namespace Routing.Dataplane.Tests.Iptables;

public class IptablesRestoreScriptTests
{
    [Fact]
    public void Declarations_come_first_then_jump_repairs_then_rules_and_deletions_last()
    {
        var web = new IptablesChain("rt-web", new IptablesRule("-p tcp --dport 80 -j ACCEPT", "web"), new IptablesRule("-j DROP"));
        var jumps = new IptablesChain("INPUT", new IptablesRule("-j rt-web"));
        var plan = new IptablesPlan([web], ["rt-old"], [new BuiltInChainRepair("INPUT", [5, 2], jumps)]);

        var script = IptablesRestoreScript.Render("filter", plan, "rt:");

        Assert.Equal(
            $"""
            *filter
            :rt-web - [0:0]
            :rt-old - [0:0]
            -D INPUT 5
            -D INPUT 2
            -I INPUT 1 -m comment --comment "rt:{jumps.Hashes[0]}" -j rt-web
            -A rt-web -m comment --comment "rt:{web.Hashes[0]}" -m comment --comment "web" -p tcp --dport 80 -j ACCEPT
            -A rt-web -m comment --comment "rt:{web.Hashes[1]}" -j DROP
            -X rt-old
            COMMIT

            """,
            script);
    }

    [Fact]
    public void What_is_rendered_parses_back_to_the_same_hashes()
    {
        var web = new IptablesChain("rt-web", new IptablesRule("-p tcp --dport 80 -j ACCEPT"), new IptablesRule("-j DROP"));
        var script = IptablesRestoreScript.Render("filter", new IptablesPlan([web], [], []), "rt:");

        var snapshot = IptablesSaveParser.Parse(script, "filter", "rt-", "rt:");

        Assert.Equal<string?>(web.Hashes, snapshot.OwnChains["rt-web"]);
    }
}
