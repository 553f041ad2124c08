namespace Routing.Agent.PolicyRules;

/// <summary>A resource the policy loop could not use (an invalid policy, an unreadable pod): left out, the others applied.</summary>
public sealed record PolicyProblem(string Resource, string Reason)
{
    public override string ToString() => $"{Resource}: {Reason}";
}
