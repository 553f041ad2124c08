using System.Text.Json;
using System.Text.Json.Serialization;

namespace Routing.Agent.Lab;

/// <summary>
/// What a lab made, written as it is made (so <c>routing lab down</c> removes a half-built lab too,
/// and only what this lab made): its namespaces, the processes it started, and its pods' addresses.
/// </summary>
public sealed class LabState
{
    public string Prefix { get; set; } = "";

    public int Nodes { get; set; }

    public int Racks { get; set; }

    public int PodsPerNode { get; set; }

    public string Encapsulation { get; set; } = "none";

    /// <summary>The agents enforce NetworkPolicy (<c>routing agent --policy</c>).</summary>
    public bool Policy { get; set; }

    public List<string> Namespaces { get; set; } = [];

    public List<LabProcess> Processes { get; set; } = [];

    /// <summary>Pod name → its IPv4 address.</summary>
    public Dictionary<string, string> PodAddresses { get; set; } = [];

    public static string DirectoryFor(string prefix) => Path.Combine("/run/routing-lab", prefix);

    public static string FileFor(string prefix) => Path.Combine(DirectoryFor(prefix), "state.json");

    public static LabState? Load(string prefix)
    {
        var file = FileFor(prefix);
        return File.Exists(file) ? JsonSerializer.Deserialize(File.ReadAllText(file), LabJsonContext.Default.LabState) : null;
    }

    public void Save()
    {
        Directory.CreateDirectory(DirectoryFor(Prefix));
        var file = FileFor(Prefix);
        File.WriteAllText(file + ".tmp", JsonSerializer.Serialize(this, LabJsonContext.Default.LabState));
        File.Move(file + ".tmp", file, overwrite: true);
    }
}

/// <summary>A process the lab started: which, its PID, and its command line's first words (checked before it is ended).</summary>
public sealed record LabProcess(string Name, int Pid, string Program);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(LabState))]
internal sealed partial class LabJsonContext : JsonSerializerContext;
