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
    private volatile bool closing; // this side asked to close: the peer dropped the connection already

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
        var reading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        readLoop = reading.Task;
        new Thread(() =>
        {
            try
            {
                ReadLoop();
            }
            finally
            {
                reading.SetResult();
            }
        })
        { IsBackground = true, Name = $"BGP read {Remote}" }.Start();
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
        closing = true;
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

    // A read this large means a burst (a table): from then on the kernel wakes the reader once a batch
    // is queued (SO_RCVLOWAT), which halves the reads and the window updates the sender handles,
    // and after a quiet of BurstTailMicroseconds the reader takes the rest and waits for bytes again.
    private const int BurstBytes = 4096;
    private const int BatchBytes = 32 * 1024;
    private const int BurstTailMicroseconds = 1000;

    /// <summary>
    /// Reads on a thread of its own that waits in the kernel for the socket (poll, then a receive that
    /// finds the data there): the kernel wakes this thread directly when data arrives, where an async
    /// read costs a wake of the sockets' event thread and then of a pool thread, per read, and a table
    /// of a million prefixes takes thousands of reads.
    /// </summary>
    private void ReadLoop()
    {
        // Room for one whole message of the largest size (RFC 8654) after what is left of the last.
        var buffer = new byte[2 * ushort.MaxValue];
        int start = 0, end = 0;
        var reason = "connection closed by the peer";
        try
        {
            var batching = false;
            while (true)
            {
                if (!socket.Poll(batching ? BurstTailMicroseconds : -1, SelectMode.SelectRead))
                {
                    // The tail of a burst, less than a batch: take it, and wake at the first byte again
                    // (if the socket refused that, keep polling with the timeout).
                    batching = !SetLowWater(1);
                    if (socket.Available == 0)
                    {
                        continue;
                    }
                }

                var read = socket.Receive(buffer, end, buffer.Length - end, SocketFlags.None);
                if (read == 0)
                {
                    break;
                }

                if (!batching && read >= BurstBytes)
                {
                    batching = SetLowWater(BatchBytes);
                }

                end += read;
                var unread = new ReadOnlySequence<byte>(buffer, start, end - start);
                while (BgpMessage.TryRead(ref unread, Options, out var message, out var error))
                {
                    if (error is not null)
                    {
                        peer(new PeerInput.Malformed(this, error));
                        return;
                    }

                    peer(new PeerInput.Received(this, message!));
                }

                start = end - (int)unread.Length;
                if (start == end)
                {
                    start = end = 0;
                }
                else if (buffer.Length - end < ushort.MaxValue)
                {
                    // A partial message near the end: move it to the front, so the rest of it fits.
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }
            }
        }
        catch (SocketException e)
        {
            reason = e.Message;
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug framing or decoding must not take the agent down (this is a thread of its own).
            reason = $"internal error reading: {e.Message}";
        }

        // A connection this side asked to close needs no word: the peer already dropped it. One that
        // failed (read or write) is reported, so the session goes down now, not at the hold timer.
        if (!closing)
        {
            peer(new PeerInput.Closed(this, reason));
        }
    }

    /// <summary>How many bytes must be queued before a poll says readable; false if the socket refuses.</summary>
    private bool SetLowWater(int bytes)
    {
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReceiveLowWater, bytes);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
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
