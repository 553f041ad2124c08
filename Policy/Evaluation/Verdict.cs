namespace Routing.Policy.Evaluation;

/// <summary>A connection is allowed when neither its egress nor its ingress side denies it.</summary>
public sealed record Verdict(Connection Connection, DirectionVerdict Egress, DirectionVerdict Ingress)
{
    public bool Allowed => Egress.Allows && Ingress.Allows;

    /// <summary>The deciding side first: the denial when there is one.</summary>
    public string Reason => !Egress.Allows ? Egress.Reason
        : !Ingress.Allows ? Ingress.Reason
        : $"{Egress.Reason}; {Ingress.Reason}";

    public override string ToString() => $"{Connection}: {(Allowed ? "allowed" : "denied")} ({Reason})";
}
