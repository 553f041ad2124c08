using Routing.Dataplane.Iptables;

namespace Routing.Dataplane.Tests.Iptables;

public class IptablesDiffTests
{
    private static readonly IptablesChain Web = new("rt-web", new IptablesRule("-p tcp --dport 80 -j ACCEPT"), new IptablesRule("-j DROP"));
    private static readonly IptablesChain Dns = new("rt-dns", new IptablesRule("-p udp --dport 53 -j ACCEPT"));
    private static readonly IptablesChain InputJumps = new("INPUT", new IptablesRule("-j rt-web"), new IptablesRule("-j rt-dns"));

    private static Dictionary<string, IptablesChain> ByName(params IptablesChain[] chains) =>
        chains.ToDictionary(c => c.Name, StringComparer.Ordinal);

    /// <summary>A snapshot as iptables-save would show the given chains written by us.</summary>
    private static IptablesSnapshot Kernel(IEnumerable<IptablesChain> own, Dictionary<string, List<string?>> builtIn)
    {
        var text = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n";
        text += string.Concat(own.Select(c => $":{c.Name} - [0:0]\n"));
        var snapshot = IptablesSaveParser.Parse(text + "COMMIT\n", "filter", "rt-", "rt:");
        foreach (var chain in own)
        {
            snapshot.OwnChains[chain.Name].AddRange(chain.Hashes);
        }

        foreach (var (name, rules) in builtIn)
        {
            snapshot.BuiltInChains[name].AddRange(rules);
        }

        return snapshot;
    }

    [Fact]
    public void An_empty_table_gets_every_chain_and_the_jumps()
    {
        var plan = IptablesDiff.Compute(ByName(Web, Dns), ByName(InputJumps), Kernel([], []));

        Assert.Equal(["rt-dns", "rt-web"], plan.ChainsToWrite.Select(c => c.Name));
        Assert.Empty(plan.ChainsToDelete);
        var repair = Assert.Single(plan.BuiltInRepairs);
        Assert.Equal("INPUT", repair.Chain);
        Assert.Empty(repair.LinesToDelete);
        Assert.Same(InputJumps, repair.Inserted);
    }

    [Fact]
    public void A_table_that_matches_needs_nothing()
    {
        var kernel = Kernel([Web, Dns], new() { ["INPUT"] = [.. InputJumps.Hashes, null, null] });

        Assert.True(IptablesDiff.Compute(ByName(Web, Dns), ByName(InputJumps), kernel).IsEmpty);
    }

    [Fact]
    public void Only_the_chain_whose_rules_changed_is_rewritten()
    {
        var kernel = Kernel([Web, Dns], new() { ["INPUT"] = [.. InputJumps.Hashes] });
        var changed = new IptablesChain("rt-dns", new IptablesRule("-p udp --dport 53 -j ACCEPT"), new IptablesRule("-p tcp --dport 53 -j ACCEPT"));

        var plan = IptablesDiff.Compute(ByName(Web, changed), ByName(InputJumps), kernel);

        Assert.Same(changed, Assert.Single(plan.ChainsToWrite));
        Assert.Empty(plan.ChainsToDelete);
        Assert.Empty(plan.BuiltInRepairs);
    }

    [Fact]
    public void With_the_chains_touched_since_the_last_write_named_only_they_are_written_or_deleted()
    {
        var other = new IptablesChain("rt-other", new IptablesRule("-j ACCEPT"));
        var kernel = Kernel([Web, Dns, other], []);
        var changed = new IptablesChain("rt-web", new IptablesRule("-j DROP"));

        // rt-other is no longer wanted but was not named, so it is not looked at; rt-dns was removed.
        var plan = IptablesDiff.Compute(ByName(changed), ByName(), kernel, ["rt-web", "rt-dns"]);

        Assert.Same(changed, Assert.Single(plan.ChainsToWrite));
        Assert.Equal(["rt-dns"], plan.ChainsToDelete);
        Assert.True(IptablesDiff.Compute(ByName(Web, Dns), ByName(), kernel, ["rt-web"]).IsEmpty);
    }

    [Fact]
    public void A_rule_slipped_into_our_chain_by_someone_else_gets_the_chain_rewritten()
    {
        var kernel = Kernel([Web], []);
        kernel.OwnChains["rt-web"].Add(null);

        Assert.Same(Web, Assert.Single(IptablesDiff.Compute(ByName(Web), ByName(), kernel).ChainsToWrite));
    }

    [Fact]
    public void Chains_of_ours_nobody_wants_are_deleted()
    {
        var plan = IptablesDiff.Compute(ByName(Web), ByName(), Kernel([Web, Dns], []));

        Assert.Empty(plan.ChainsToWrite);
        Assert.Equal(["rt-dns"], plan.ChainsToDelete);
    }

    [Fact]
    public void Jumps_pushed_down_by_a_foreign_rule_are_deleted_by_line_and_inserted_at_the_top()
    {
        var kernel = Kernel([Web, Dns], new() { ["INPUT"] = [null, InputJumps.Hashes[0], null, InputJumps.Hashes[1]] });

        var repair = Assert.Single(IptablesDiff.Compute(ByName(Web, Dns), ByName(InputJumps), kernel).BuiltInRepairs);

        Assert.Equal([4, 2], repair.LinesToDelete);
        Assert.Same(InputJumps, repair.Inserted);
    }

    [Fact]
    public void A_deleted_jump_is_put_back()
    {
        var kernel = Kernel([Web, Dns], new() { ["INPUT"] = [InputJumps.Hashes[0], null] });

        var repair = Assert.Single(IptablesDiff.Compute(ByName(Web, Dns), ByName(InputJumps), kernel).BuiltInRepairs);

        Assert.Equal([1], repair.LinesToDelete);
    }

    [Fact]
    public void Our_rules_left_in_a_built_in_chain_we_no_longer_use_are_removed()
    {
        var kernel = Kernel([Web, Dns], new() { ["FORWARD"] = [null, "AAAAAAAAAAAAAAAA"], ["INPUT"] = [.. InputJumps.Hashes] });

        var repair = Assert.Single(IptablesDiff.Compute(ByName(Web, Dns), ByName(InputJumps), kernel).BuiltInRepairs);

        Assert.Equal("FORWARD", repair.Chain);
        Assert.Equal([2], repair.LinesToDelete);
        Assert.Empty(repair.Inserted.Rules);
    }
}
