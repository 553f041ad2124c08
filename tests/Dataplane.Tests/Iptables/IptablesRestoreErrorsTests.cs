using Routing.Dataplane.Iptables;

namespace Routing.Dataplane.Tests.Iptables;

public class IptablesRestoreErrorsTests
{
    private const string Script = "*filter\n:rt-a - [0:0]\n-A rt-a -j RETURN\n-A rt-a -p tcp --dport 99999 -j ACCEPT\nCOMMIT\n";

    [Fact]
    public void A_parse_error_names_the_line_and_the_rule()
    {
        const string Stderr = "iptables-restore v1.8.9 (legacy): invalid port/service `99999' specified\nError occurred at line: 4\nTry `iptables-restore -h' or 'iptables-restore --help' for more information.\n";

        var error = IptablesRestoreErrors.From("filter", Script, Stderr);

        Assert.Equal(4, error.LineNumber);
        Assert.Equal("-A rt-a -p tcp --dport 99999 -j ACCEPT", error.FailedLine);
        Assert.Contains("invalid port/service", error.Message, StringComparison.Ordinal);
        Assert.Contains("-A rt-a -p tcp --dport 99999 -j ACCEPT", error.Message, StringComparison.Ordinal);
        Assert.Contains("unchanged", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kernel_refusal_names_the_line()
    {
        var error = IptablesRestoreErrors.From("filter", Script, "iptables-nft-restore: line 3 failed: No chain/target/match by that name.\n");

        Assert.Equal(3, error.LineNumber);
        Assert.Equal("-A rt-a -j RETURN", error.FailedLine);
    }

    [Fact]
    public void Without_a_line_number_the_tool_output_is_kept()
    {
        var error = IptablesRestoreErrors.From("filter", Script, "Killed\n");

        Assert.Null(error.LineNumber);
        Assert.Contains("Killed", error.Message, StringComparison.Ordinal);
    }
}
