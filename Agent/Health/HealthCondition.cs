namespace Routing.Agent.Health;

/// <summary>Whether one part of the agent is ready, and what an operator should read about it.</summary>
public sealed record HealthCondition(bool Ready, string Detail)
{
    public static HealthCondition Up(string detail) => new(true, detail);

    public static HealthCondition Down(string detail) => new(false, detail);
}
