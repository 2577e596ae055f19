package dev.airlock.deploy.stack;

import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PreflightTest {
    @Test
    void aTakenPortNamesItsOwnerAndTheWayOut() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = taken.getLocalPort();
            Preflight.Failed e = assertThrows(Preflight.Failed.class,
                    () -> Preflight.ports(Map.of(port, "control Kafka"), udp.getLocalPort()));
            String m = e.getMessage();
            assertTrue(m.startsWith("port taken: TCP " + port + " (control Kafka) is taken by pid "
                    + ProcessHandle.current().pid()), m);
            assertTrue(m.contains("UDP " + udp.getLocalPort() + " (diode) is taken"), m);
            assertTrue(m.contains("AIRLOCK_PORT_BASE=N"), m);
        }
    }

    @Test
    void freePortsPass() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertEquals("1 port free", Preflight.ports(Map.of(port, "x"), null));
        assertEquals("no port to check (the processes to start listen on none)", Preflight.ports(Map.of(), null));
        assertTrue(Preflight.java().startsWith("Java 1") || Preflight.java().startsWith("Java 2"));
    }
}
