namespace Routing.Agent.Health;

/// <summary>
/// The readiness of a part that applies rules from the datastore (the service proxy): not ready
/// until its first apply, then ready with what the last one did.
/// </summary>
public sealed class ApplyReadiness(string waiting)
{
    private HealthCondition condition = HealthCondition.Down(waiting);

    public HealthCondition Condition() => Volatile.Read(ref condition);

    public void Applied(string detail) => Volatile.Write(ref condition, HealthCondition.Up(detail));
}
