package dev.airlock.bench.diode;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The reference: how many bytes per second plain UDP moves over loopback on this machine, in this run, with
 * datagrams of the size the diode uses — one unthrottled sending thread, one receiving thread, nothing else.
 */
final class RawUdp {
    private RawUdp() {
    }

    /** Received payload bytes per second (what arrived, not what was offered). */
    static double measure(int datagramBytes, long millis) throws Exception {
        try (DatagramChannel rx = DatagramChannel.open(); DatagramChannel tx = DatagramChannel.open()) {
            rx.setOption(StandardSocketOptions.SO_RCVBUF, 16 * 1024 * 1024);
            rx.bind(new InetSocketAddress("127.0.0.1", 0));
            tx.setOption(StandardSocketOptions.SO_SNDBUF, 4 * 1024 * 1024);
            tx.connect(rx.getLocalAddress());
            AtomicLong received = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            Thread reader = new Thread(() -> {
                ByteBuffer b = ByteBuffer.allocateDirect(65_536);
                try {
                    while (!stop.get()) {
                        b.clear();
                        rx.receive(b);
                        received.addAndGet(b.position());
                    }
                } catch (IOException e) {
                    // closed
                }
            }, "raw-udp-rx");
            reader.setDaemon(true);
            reader.start();
            ByteBuffer d = ByteBuffer.allocateDirect(datagramBytes);
            // warm-up
            long warm = System.nanoTime() + 500_000_000L;
            while (System.nanoTime() < warm) {
                d.clear();
                tx.write(d);
            }
            long r0 = received.get();
            long t0 = System.nanoTime();
            long end = t0 + millis * 1_000_000L;
            while (System.nanoTime() < end) {
                d.clear();
                tx.write(d);
            }
            long t1 = System.nanoTime();
            long r1 = received.get();
            stop.set(true);
            return (r1 - r0) / ((t1 - t0) / 1e9);
        }
    }
}
