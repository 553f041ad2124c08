namespace Routing.Bgp.Rib;

/// <summary>The step of the decision process that chose a best path, in the order the steps run.</summary>
public enum BestPathReason
{
    /// <summary>There was one path; nothing to decide.</summary>
    OnlyPath,

    /// <summary>Highest LOCAL_PREF (RFC 4271 §9.1.1).</summary>
    LocalPref,

    /// <summary>A path this speaker originates beats a learned one.</summary>
    LocallyOriginated,

    /// <summary>Shortest AS_PATH (RFC 4271 §9.1.2.2 a).</summary>
    AsPathLength,

    /// <summary>Lowest ORIGIN (RFC 4271 §9.1.2.2 b).</summary>
    Origin,

    /// <summary>Lowest MULTI_EXIT_DISC among paths from the same neighbour AS (RFC 4271 §9.1.2.2 c).</summary>
    MultiExitDisc,

    /// <summary>eBGP-learned beats iBGP-learned (RFC 4271 §9.1.2.2 d).</summary>
    ExternalOverInternal,

    /// <summary>Lowest ORIGINATOR_ID or BGP identifier (RFC 4271 §9.1.2.2 f, RFC 4456 §9).</summary>
    RouterId,

    /// <summary>Shortest CLUSTER_LIST (RFC 4456 §9).</summary>
    ClusterListLength,

    /// <summary>Lowest peer address (RFC 4271 §9.1.2.2 g).</summary>
    PeerAddress,
}
