using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Capabilities;

namespace Routing.Bgp.Tests.Sessions;

/// <summary>
/// The far end of a session, played by the test on loopback: it accepts the speaker's
/// connection (or connects to it) and sends and receives messages one by one.
/// </summary>
internal sealed class ScriptedPeer : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly TcpListener listener;
    private Socket? socket;
    private PipeReader? reader;

    /// <param name="address">A loopback address to listen on (127.0.0.x), so several peers of one speaker have their own.</param>
    public ScriptedPeer(IPAddress? address = null)
    {
        listener = new TcpListener(address ?? IPAddress.Loopback, 0);
        listener.Start();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public SessionOptions Options { get; set; } = SessionOptions.Modern;

    public static OpenMessage Open(uint asn, uint routerId = 0x0A000002, ushort holdTime = 9, bool fourOctet = true) =>
        new(asn, holdTime, routerId, fourOctet
            ? [new MultiprotocolCapability(AfiSafi.Ipv4Unicast), new MultiprotocolCapability(AfiSafi.Ipv6Unicast), new RouteRefreshCapability(), new FourOctetAsCapability(asn)]
            : [new MultiprotocolCapability(AfiSafi.Ipv4Unicast), new RouteRefreshCapability()]);

    /// <summary>Waits for the speaker to connect.</summary>
    public async Task AcceptAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        Use(await listener.AcceptSocketAsync(timeout.Token));
    }

    /// <summary>Connects to the speaker like a peer that initiates (for collision tests), as a second connection.</summary>
    public static async Task<ScriptedPeer> ConnectAsync(int port)
    {
        var peer = new ScriptedPeer();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        peer.Use(client);
        return peer;
    }

    private void Use(Socket accepted)
    {
        socket = accepted;
        reader = PipeReader.Create(new NetworkStream(accepted, ownsSocket: false));
    }

    public void Send(BgpMessage message) => SendRaw(message.ToArray(Options));

    public void SendRaw(byte[] bytes) => socket!.Send(bytes);

    /// <summary>The next message from the speaker; throws if none comes or the connection closes.</summary>
    public async Task<BgpMessage> ReceiveAsync(TimeSpan? timeout = null)
    {
        return await ReceiveOrCloseAsync(timeout) ?? throw new InvalidOperationException("the speaker closed the connection");
    }

    /// <summary>The next message, or null when the speaker closed the connection.</summary>
    public async Task<BgpMessage?> ReceiveOrCloseAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? Patience);
        while (true)
        {
            var result = await reader!.ReadAsync(cancel.Token);
            var buffer = result.Buffer;
            if (BgpMessage.TryRead(ref buffer, Options, out var message, out var error))
            {
                // Consumed one message; what follows it is not yet examined.
                reader.AdvanceTo(buffer.Start);
                return message ?? throw new InvalidOperationException($"the speaker sent a malformed message: {error}");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    /// <summary>The next message of type <typeparamref name="T"/>, skipping KEEPALIVEs.</summary>
    public async Task<T> ReceiveAsync<T>(TimeSpan? timeout = null)
        where T : BgpMessage
    {
        while (true)
        {
            var message = await ReceiveAsync(timeout);
            if (message is T wanted)
            {
                return wanted;
            }

            if (message is not KeepaliveMessage)
            {
                throw new InvalidOperationException($"expected {typeof(T).Name}, got {message}");
            }
        }
    }

    /// <summary>Plays the OPEN exchange to Established: their OPEN in, ours and a KEEPALIVE out, their KEEPALIVE in.</summary>
    public async Task<OpenMessage> HandshakeAsync(OpenMessage ours)
    {
        var theirs = await ReceiveAsync<OpenMessage>();
        Send(ours);
        Send(KeepaliveMessage.Instance);
        Assert.IsType<KeepaliveMessage>(await ReceiveAsync());
        return theirs;
    }

    public async ValueTask DisposeAsync()
    {
        if (reader is not null)
        {
            await reader.CompleteAsync();
        }

        socket?.Dispose();
        listener.Stop();
        listener.Dispose();
    }
}
