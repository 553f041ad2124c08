using Routing.Cni.Protocol;

namespace Routing.Cni.Tests.Protocol;

public sealed class CniEnvironmentTests
{
    private static Dictionary<string, string> Valid(string command) => new()
    {
        ["CNI_COMMAND"] = command,
        ["CNI_CONTAINERID"] = "abc123",
        ["CNI_NETNS"] = "/run/netns/x",
        ["CNI_IFNAME"] = "eth0",
        ["CNI_PATH"] = "/usr/lib/cni",
    };

    private static CniException Fails(Dictionary<string, string> env) =>
        Assert.Throws<CniException>(() => CniEnvironment.Read(name => env.GetValueOrDefault(name)));

    [Theory]
    [InlineData("ADD", "CNI_CONTAINERID")]
    [InlineData("ADD", "CNI_NETNS")]
    [InlineData("ADD", "CNI_IFNAME")]
    [InlineData("ADD", "CNI_PATH")]
    [InlineData("CHECK", "CNI_NETNS")]
    [InlineData("DEL", "CNI_CONTAINERID")]
    [InlineData("DEL", "CNI_IFNAME")]
    public void A_missing_variable_is_error_4_naming_it(string command, string variable)
    {
        var env = Valid(command);
        env.Remove(variable);

        var e = Fails(env);

        Assert.Equal(CniErrorCode.InvalidEnvironment, e.Code);
        Assert.Contains(variable, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Del_needs_no_netns_and_status_and_gc_need_no_attachment()
    {
        var del = Valid("DEL");
        del.Remove("CNI_NETNS");
        Assert.Null(CniEnvironment.Read(name => del.GetValueOrDefault(name)).NetNs);
        Assert.Equal(CniCommand.Status, CniEnvironment.Read(name => name == "CNI_COMMAND" ? "STATUS" : null).Command);
        Assert.Equal(CniCommand.Gc, CniEnvironment.Read(name => name == "CNI_COMMAND" ? "GC" : null).Command);
    }

    [Theory]
    [InlineData("CNI_COMMAND", "FROB")]
    [InlineData("CNI_CONTAINERID", "-starts-badly")]
    [InlineData("CNI_CONTAINERID", "has/slash")]
    [InlineData("CNI_IFNAME", "a-very-long-name-0")]
    [InlineData("CNI_IFNAME", "eth:0")]
    [InlineData("CNI_IFNAME", "..")]
    [InlineData("CNI_ARGS", "K8S_POD_NAME=x;FOO=bar")]
    [InlineData("CNI_ARGS", "novalue")]
    public void A_malformed_variable_is_error_4_naming_it(string variable, string value)
    {
        var env = Valid("ADD");
        env[variable] = value;

        var e = Fails(env);

        Assert.Equal(CniErrorCode.InvalidEnvironment, e.Code);
        Assert.Contains(variable, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cni_args_give_the_pod_and_ignore_unknown_keys_when_asked()
    {
        var args = CniArgs.Parse("IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0;K8S_POD_INFRA_CONTAINER_ID=abc;FOO=bar");

        Assert.Equal("default", args.PodNamespace);
        Assert.Equal("web-0", args.PodName);
        Assert.Equal("abc", args.InfraContainerId);
    }
}
