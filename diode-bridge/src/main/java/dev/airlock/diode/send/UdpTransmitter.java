package dev.airlock.diode.send;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sender's only network socket. Send-only by construction: the channel is connected to the one target (the
 * kernel then accepts datagrams from nowhere else), its receive buffer is set to the minimum, and this class has no
 * method that reads. ICMP "port unreachable" reported on a connected UDP socket is swallowed: a diode cannot know,
 * and must not care, whether anyone listens.
 */
public final class UdpTransmitter implements AutoCloseable {
    private final DatagramChannel channel;
    private final RateLimiter limiter;
    private final AtomicLong datagrams = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong unreachable = new AtomicLong();

    /**
     * @param largestDatagram the largest datagram this transmitter will send (sets the rate limiter's burst)
     */
    public UdpTransmitter(InetSocketAddress target, long rateBytesPerSec, int socketBufferBytes, int largestDatagram)
            throws IOException {
        StandardProtocolFamily family = target.getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        this.channel = DatagramChannel.open(family);
        channel.setOption(StandardSocketOptions.SO_SNDBUF, socketBufferBytes);
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 1);
        channel.connect(target);
        // heartbeats are a few hundred bytes; data datagrams are the largest thing sent
        this.limiter = new RateLimiter(rateBytesPerSec, Math.max(largestDatagram, 4096) + 28);
    }

    /** Sends one datagram (blocking for the rate limit). Thread-safe. */
    public void send(ByteBuffer datagram) throws IOException {
        int n = datagram.remaining();
        limiter.acquire(n + 28);
        try {
            channel.write(datagram);
        } catch (PortUnreachableException e) {
            unreachable.incrementAndGet();
            return;
        }
        datagrams.incrementAndGet();
        bytes.addAndGet(n);
    }

    public long datagramsSent() {
        return datagrams.get();
    }

    public long bytesSent() {
        return bytes.get();
    }

    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
