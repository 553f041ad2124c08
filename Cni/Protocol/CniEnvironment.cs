namespace Routing.Cni.Protocol;

/// <summary>
/// The <c>CNI_*</c> variables of one invocation, checked as the spec's "Parameters" section and
/// the reference skeleton check them: which are required for which command, and their syntax.
/// </summary>
public sealed record CniEnvironment(
    CniCommand Command,
    string ContainerId,
    string? NetNs,
    string IfName,
    CniArgs Args,
    string? Path)
{
    /// <summary>Linux IFNAMSIZ less the terminating NUL.</summary>
    public const int MaxInterfaceName = 15;

    public static CniCommand ParseCommand(string? command) => command switch
    {
        "ADD" => CniCommand.Add,
        "DEL" => CniCommand.Del,
        "CHECK" => CniCommand.Check,
        "STATUS" => CniCommand.Status,
        "VERSION" => CniCommand.Version,
        "GC" => CniCommand.Gc,
        null or "" => throw new CniException(CniErrorCode.InvalidEnvironment,
            "CNI_COMMAND is not set", "set CNI_COMMAND to ADD, DEL, CHECK, STATUS, GC or VERSION"),
        _ => throw new CniException(CniErrorCode.InvalidEnvironment,
            $"CNI_COMMAND {command} is not a CNI command", "set CNI_COMMAND to ADD, DEL, CHECK, STATUS, GC or VERSION"),
    };

    public static CniEnvironment Read(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var command = ParseCommand(environment("CNI_COMMAND"));
        var perAttachment = command is CniCommand.Add or CniCommand.Del or CniCommand.Check;

        var containerId = environment("CNI_CONTAINERID") ?? string.Empty;
        var netns = environment("CNI_NETNS");
        var ifName = environment("CNI_IFNAME") ?? string.Empty;
        var path = environment("CNI_PATH");
        if (perAttachment)
        {
            Require("CNI_CONTAINERID", containerId);
            ValidateContainerId(containerId);
            Require("CNI_IFNAME", ifName);
            ValidateInterfaceName(ifName);
            Require("CNI_PATH", path);

            // DEL may come after the namespace is gone: the runtime then passes no CNI_NETNS.
            if (command != CniCommand.Del)
            {
                Require("CNI_NETNS", netns);
            }
        }

        return new CniEnvironment(command, containerId, string.IsNullOrEmpty(netns) ? null : netns, ifName, CniArgs.Parse(environment("CNI_ARGS")), path);
    }

    private static void Require(string name, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new CniException(CniErrorCode.InvalidEnvironment, $"{name} is not set", $"the runtime must set {name} for this command");
        }
    }

    /// <summary>As libcni: starts with a letter or digit, then letters, digits, '_', '.', '-'.</summary>
    public static void ValidateContainerId(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var valid = id.Length > 0 && char.IsAsciiLetterOrDigit(id[0])
            && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
        if (!valid)
        {
            throw new CniException(CniErrorCode.InvalidEnvironment,
                $"CNI_CONTAINERID \"{id}\" has invalid characters", "a container ID starts with a letter or digit and holds only letters, digits, '_', '.' and '-'");
        }
    }

    /// <summary>As the kernel's dev_valid_name: 1–15 bytes, not "." or "..", no '/', ':' or whitespace.</summary>
    public static void ValidateInterfaceName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string? problem = name.Length > MaxInterfaceName ? $"is longer than {MaxInterfaceName} characters"
            : name is "." or ".." ? "is not a valid interface name"
            : name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c)) ? "holds '/', ':' or whitespace"
            : null;
        if (problem is not null)
        {
            throw new CniException(CniErrorCode.InvalidEnvironment, $"CNI_IFNAME \"{name}\" {problem}", "pick an interface name the kernel accepts, e.g. eth0");
        }
    }
}
