namespace Routing.Agent.Health;

/// <summary>
/// The parts whose state makes the agent ready (datastore in sync, dataplane applied, BGP sessions
/// up or failing for a shown reason, …), each asked for its condition when a probe or
/// <c>routing status</c> wants it. Liveness is separate: the agent's loops still turning.
/// </summary>
public sealed class AgentHealth
{
    private readonly Lock gate = new();
    private readonly List<(string Name, Func<HealthCondition> Probe)> components = [];
    private Func<HealthCondition> liveness = () => HealthCondition.Up("running");

    /// <summary>Adds a part of readiness; the names are shown as they are added.</summary>
    public void Add(string name, Func<HealthCondition> probe)
    {
        lock (gate)
        {
            components.Add((name, probe));
        }
    }

    public void SetLiveness(Func<HealthCondition> probe)
    {
        liveness = probe;
    }

    /// <summary>Each part's condition now; a probe that throws is a part not ready, with the error.</summary>
    public IReadOnlyList<(string Name, HealthCondition Condition)> Readiness()
    {
        (string Name, Func<HealthCondition> Probe)[] parts;
        lock (gate)
        {
            parts = [.. components];
        }

        return [.. parts.Select(p => (p.Name, Ask(p.Probe)))];
    }

    public bool IsReady() => Readiness().All(p => p.Condition.Ready);

    public HealthCondition Liveness() => Ask(liveness);

    private static HealthCondition Ask(Func<HealthCondition> probe)
    {
        try
        {
            return probe();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return HealthCondition.Down($"probe failed: {e.Message}");
        }
    }
}
