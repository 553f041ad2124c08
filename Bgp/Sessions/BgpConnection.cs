using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Routing.Bgp.Wire;

namespace Routing.Bgp.Sessions;

/// <summary>
/// One TCP connection of a session: a read loop that frames messages and hands them to the peer's
/// event loop (which handles them on the read loop's thread when it has nothing queued before
/// them), and a write loop that batches queued messages into few socket writes. It never
/// decides anything; the peer does.
/// </summary>
internal sealed class BgpConnection : IAsyncDisposable
{
    private readonly Socket socket;
    private readonly NetworkStream stream;
    private readonly Action<PeerInput> peer;
    private readonly Channel<BgpMessage> outbox = Channel.CreateUnbounded<BgpMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource stop = new();
    private Task? readLoop;
    private Task? writeLoop;
    private object options = SessionOptions.Initial; // boxed: read by the read loop, set by the peer loop
    private int closed;

    /// <param name="peer">Hands an input to the peer's event loop, in order.</param>
    public BgpConnection(Socket socket, bool outgoing, Action<PeerInput> peer)
    {
        this.socket = socket;
        this.peer = peer;
        Outgoing = outgoing;
        stream = new NetworkStream(socket, ownsSocket: true);
        Local = (IPEndPoint)socket.LocalEndPoint!;
        Remote = (IPEndPoint)socket.RemoteEndPoint!;
    }

    /// <summary>True if this side connected out (it matters for collision resolution, RFC 4271 §6.8).</summary>
    public bool Outgoing { get; }

    public IPEndPoint Local { get; }

    public IPEndPoint Remote { get; }

    /// <summary>The peer's OPEN on this connection, once received.</summary>
    public OpenMessage? ReceivedOpen { get; set; }

    /// <summary>What the codec must know; set by the peer loop once both OPENs are known.</summary>
    public SessionOptions Options
    {
        get => (SessionOptions)Volatile.Read(ref options);
        set => Volatile.Write(ref options, value);
    }

    public void Start()
    {
        readLoop = Task.Run(ReadLoopAsync);
        writeLoop = Task.Run(WriteLoopAsync);
    }

    /// <summary>Queues a message; messages go out in order.</summary>
    public void Send(BgpMessage message) => outbox.Writer.TryWrite(message);

    /// <summary>Queues a last message (a NOTIFICATION), then closes once it is written.</summary>
    public void SendAndClose(BgpMessage last)
    {
        outbox.Writer.TryWrite(last);
        Close();
    }

    /// <summary>
    /// Closes after writing what is already queued; a peer that does not read (frozen, full
    /// window) gets two seconds before the socket is torn down regardless.
    /// </summary>
    public void Close()
    {
        if (outbox.Writer.TryComplete())
        {
            try
            {
                stop.CancelAfter(TimeSpan.FromSeconds(2));
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private async Task ReadLoopAsync()
    {
        // leaveOpen: a NOTIFICATION may still have to go out after reading stops.
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true));
        var reason = "connection closed by the peer";
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(stop.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var failed = false;
                try
                {
                    while (BgpMessage.TryRead(ref buffer, Options, out var message, out var error))
                    {
                        if (error is not null)
                        {
                            peer(new PeerInput.Malformed(this, error));
                            failed = true;
                            break;
                        }

                        peer(new PeerInput.Received(this, message!));
                    }
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                }

                if (failed)
                {
                    return;
                }

                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (IOException e)
        {
            reason = e.InnerException?.Message ?? e.Message;
        }
        catch (SocketException e)
        {
            reason = e.Message;
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }

        peer(new PeerInput.Closed(this, reason));
    }

    private async Task WriteLoopAsync()
    {
        var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024, leaveOpen: true));
        try
        {
            var reader = outbox.Reader;
            while (await reader.WaitToReadAsync(stop.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var message))
                {
                    message.Write(writer, Options);

                    // Batch: write what is queued now, flush when the queue runs dry or a lot is buffered.
                    if (writer.UnflushedBytes > 256 * 1024)
                    {
                        await writer.FlushAsync(stop.Token).ConfigureAwait(false);
                    }
                }

                await writer.FlushAsync(stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            await writer.CompleteAsync().ConfigureAwait(false);
            await CloseSocketAsync().ConfigureAwait(false);
        }
    }

    private async Task CloseSocketAsync()
    {
        if (Interlocked.Exchange(ref closed, 1) == 1)
        {
            return;
        }

        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await stream.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        Close();
        if (writeLoop is not null)
        {
            await writeLoop.WaitAsync(TimeSpan.FromSeconds(3)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await CloseSocketAsync().ConfigureAwait(false);
        foreach (var task in new[] { readLoop, writeLoop })
        {
            if (task is not null)
            {
                try
                {
                    await task.ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
                {
                }
            }
        }
    }

    public override string ToString() => $"{(Outgoing ? "out" : "in")} {Local}->{Remote}";
}
