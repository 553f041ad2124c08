namespace Routing.Ipam.Store;

/// <summary>The document kinds IPAM records are stored as, under <see cref="ApiVersion"/>.</summary>
public static class IpamKinds
{
    public const string ApiVersion = "routing.dev/v1";

    public const string IPPool = "IPPool";

    public const string Block = "IPAMBlock";

    public const string BlockAffinity = "BlockAffinity";

    public const string Handle = "IPAMHandle";

    public const string IPReservation = "IPReservation";
}
