package dev.airlock.diode.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayDeque;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP relay on loopback between the diode sender and receiver that injects faults ({@link Faults}). It also
 * watches its downstream socket: every datagram that arrives there came from the receiver's side, which must never
 * happen ({@link #backwardDatagrams()}).
 */
public final class FaultyRelay implements AutoCloseable {
    private final DatagramChannel upstream;
    private final DatagramChannel downstream;
    private final InetSocketAddress target;
    private volatile Faults faults;
    private volatile boolean blackhole;
    private final Thread forward;
    private final Thread backward;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong damaged = new AtomicLong();
    private final AtomicLong backwardCount = new AtomicLong();
    private volatile SocketAddress lastBackwardSource;

    public FaultyRelay(InetSocketAddress target, Faults faults) throws IOException {
        this.target = target;
        this.faults = faults;
        this.upstream = DatagramChannel.open();
        upstream.setOption(StandardSocketOptions.SO_RCVBUF, 16 * 1024 * 1024);
        upstream.bind(new InetSocketAddress("127.0.0.1", 0));
        this.downstream = DatagramChannel.open();
        downstream.setOption(StandardSocketOptions.SO_SNDBUF, 8 * 1024 * 1024);
        downstream.bind(new InetSocketAddress("127.0.0.1", 0));
        this.forward = new Thread(this::forwardLoop, "relay-forward");
        this.backward = new Thread(this::backwardLoop, "relay-backward");
        forward.setDaemon(true);
        backward.setDaemon(true);
        forward.start();
        backward.start();
    }

    /** Where the sender must send. */
    public InetSocketAddress address() throws IOException {
        return (InetSocketAddress) upstream.getLocalAddress();
    }

    /** The relay's downstream address (the source address the receiver sees). */
    public InetSocketAddress downstreamAddress() throws IOException {
        return (InetSocketAddress) downstream.getLocalAddress();
    }

    public void setFaults(Faults f) {
        this.faults = f;
    }

    /** Drops everything while true (a link outage). */
    public void setBlackhole(boolean b) {
        this.blackhole = b;
    }

    private void forwardLoop() {
        Random rnd = new Random(faults.seed());
        boolean bad = false;
        ArrayDeque<byte[]> delayed = new ArrayDeque<>();
        ArrayDeque<Integer> delayCountdown = new ArrayDeque<>();
        ByteBuffer buf = ByteBuffer.allocate(65_536);
        try {
            while (true) {
                buf.clear();
                upstream.receive(buf);
                buf.flip();
                byte[] d = new byte[buf.remaining()];
                buf.get(d);
                received.incrementAndGet();
                Faults f = faults;
                // release reordered datagrams whose turn has come
                int n = delayCountdown.size();
                for (int i = 0; i < n; i++) {
                    int c = delayCountdown.poll() - 1;
                    byte[] x = delayed.poll();
                    if (c <= 0) {
                        send(x);
                    } else {
                        delayCountdown.add(c);
                        delayed.add(x);
                    }
                }
                if (blackhole) {
                    dropped.incrementAndGet();
                    continue;
                }
                bad = bad ? rnd.nextDouble() >= f.geBadToGood() : rnd.nextDouble() < f.geGoodToBad();
                if (rnd.nextDouble() < f.loss() || (bad && rnd.nextDouble() < f.geBadLoss())) {
                    dropped.incrementAndGet();
                    continue;
                }
                if (rnd.nextDouble() < f.truncate() && d.length > 1) {
                    d = java.util.Arrays.copyOf(d, rnd.nextInt(d.length));
                    damaged.incrementAndGet();
                }
                if (rnd.nextDouble() < f.bitFlip() && d.length > 0) {
                    int bit = rnd.nextInt(d.length * 8);
                    d[bit / 8] ^= (byte) (1 << (bit % 8));
                    damaged.incrementAndGet();
                }
                if (rnd.nextDouble() < f.reorder()) {
                    delayed.add(d);
                    delayCountdown.add(1 + rnd.nextInt(Math.max(1, f.reorderDepth())));
                    continue;
                }
                send(d);
                if (rnd.nextDouble() < f.duplicate()) {
                    send(d);
                }
            }
        } catch (ClosedChannelException e) {
            // closed
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void send(byte[] d) throws IOException {
        downstream.send(ByteBuffer.wrap(d), target);
        forwarded.incrementAndGet();
    }

    private void backwardLoop() {
        ByteBuffer buf = ByteBuffer.allocate(65_536);
        try {
            while (true) {
                buf.clear();
                lastBackwardSource = downstream.receive(buf);
                backwardCount.incrementAndGet();
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** Sends a datagram from the relay's upstream socket (the sender's peer) back towards the sender. */
    public void sendUpstreamProbe(InetSocketAddress to, byte[] payload) throws IOException {
        upstream.send(ByteBuffer.wrap(payload), to);
    }

    public long received() {
        return received.get();
    }

    public long forwarded() {
        return forwarded.get();
    }

    public long dropped() {
        return dropped.get();
    }

    public long damaged() {
        return damaged.get();
    }

    /** Datagrams that arrived at the relay from the receiver's side. Must stay 0. */
    public long backwardDatagrams() {
        return backwardCount.get();
    }

    public SocketAddress lastBackwardSource() {
        return lastBackwardSource;
    }

    @Override
    public void close() throws IOException {
        upstream.close();
        downstream.close();
    }
}
