namespace Routing.Agent.PolicyRules;

/// <summary>What one policy apply changed in the kernel.</summary>
public sealed record PolicyApplyResult(int ChainsWritten, int ChainsDeleted, int SetsChanged, int SetsDestroyed);
