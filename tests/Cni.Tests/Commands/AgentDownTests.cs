using System.Net.Sockets;
using Routing.TestKit;

namespace Routing.Cni.Tests.Commands;

/// <summary>With no agent listening: ADD/DEL/GC say "try again later" (11) naming the socket and touch nothing; STATUS says 50.</summary>
public sealed class AgentDownTests
{
    private readonly InProcessPlugin plugin = new(Path.Combine(TestRun.NewDirectory("no-agent"), "agent.sock"));

    [Theory]
    [InlineData("ADD")]
    [InlineData("DEL")]
    public void Add_and_del_are_11_naming_the_socket_and_wire_nothing(string command)
    {
        var (exit, output) = plugin.Run(command, plugin.Config());

        Assert.NotEqual(0, exit);
        Assert.Equal(11, InProcessPlugin.Code(output));
        Assert.Contains(plugin.AgentSocket, output, StringComparison.Ordinal);
        Assert.Empty(plugin.Wiring.Links);
        Assert.DoesNotContain("CreateVeth", plugin.Wiring.Steps);
    }

    [Fact]
    public void Status_is_50()
    {
        var (exit, output) = plugin.Run("STATUS", plugin.Config());

        Assert.NotEqual(0, exit);
        Assert.Equal(50, InProcessPlugin.Code(output));
    }

    [Fact]
    public void An_agent_that_accepts_but_never_answers_is_11_after_the_timeout_and_wires_nothing()
    {
        // Listening but never accepting: the connection completes from the backlog, no answer comes.
        using var silent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        silent.Bind(new UnixDomainSocketEndPoint(plugin.AgentSocket));
        silent.Listen(4);

        var (exit, output) = plugin.Run("ADD", plugin.Config(extra: ""","agentTimeoutSeconds":0.3"""));

        Assert.NotEqual(0, exit);
        Assert.Equal(11, InProcessPlugin.Code(output));
        Assert.Contains("did not answer IpamAssign in time", output, StringComparison.Ordinal);
        Assert.Empty(plugin.Wiring.Links);
    }
}
