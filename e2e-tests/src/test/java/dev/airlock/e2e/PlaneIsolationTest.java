package dev.airlock.e2e;

import dev.airlock.deploy.stack.Ports;
import dev.airlock.deploy.stack.StackState;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The isolation check of {@link StackIT} can fail: this JVM, entered in a stack state as an enclave process, opens
 * exactly the sockets the rules forbid, and each one is reported.
 */
class PlaneIsolationTest {
    @Test
    void everyForbiddenSocketOfAnEnclaveProcessIsReported() throws Exception {
        Ports ports = Ports.fromBase(24400);
        try (ServerSocket controlKafka = new ServerSocket(ports.controlKafka(), 5, InetAddress.getLoopbackAddress());
             Socket towardsControl = new Socket(InetAddress.getLoopbackAddress(), ports.controlKafka());
             Socket accepted = controlKafka.accept();
             DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            ProcessHandle self = ProcessHandle.current();
            StackState state = new StackState(StackState.SCHEMA, "/r", "/h", ports, Instant.now(), List.of(
                    new StackState.Proc("gateway-service", "enclave", "gateway", 1, self.pid(),
                            self.info().startInstant().orElse(null), Instant.now(), "/g.log", List.of())));
            PlaneIsolation isolation = new PlaneIsolation(ports);
            isolation.inspect(state);
            List<String> v = isolation.violations;
            assertTrue(v.stream().anyMatch(x -> x.contains("connects to the control plane") && x.contains(":"
                    + ports.controlKafka())), v::toString);
            assertTrue(v.stream().anyMatch(x -> x.contains("listens on TCP") && x.contains(":" + ports.controlKafka())),
                    v::toString);
            assertTrue(v.stream().anyMatch(x -> x.contains("holds UDP socket") && x.contains(":" + udp.getLocalPort())),
                    v::toString);
            assertEquals(1, isolation.inspected.get("gateway-service"));
            assertTrue(accepted.isConnected() && towardsControl.isConnected());
        }
    }

    @Test
    void aControlProcessReachingIntoTheEnclaveIsReportedToo() throws Exception {
        Ports ports = Ports.fromBase(24500);
        try (ServerSocket enclaveKafka = new ServerSocket(ports.enclaveKafka(), 5, InetAddress.getLoopbackAddress());
             Socket into = new Socket(InetAddress.getLoopbackAddress(), ports.enclaveKafka());
             Socket accepted = enclaveKafka.accept()) {
            ProcessHandle self = ProcessHandle.current();
            StackState state = new StackState(StackState.SCHEMA, "/r", "/h", ports, Instant.now(), List.of(
                    new StackState.Proc("approval-service", "control", "approval", 1, self.pid(),
                            self.info().startInstant().orElse(null), Instant.now(), "/a.log", List.of())));
            PlaneIsolation isolation = new PlaneIsolation(ports);
            isolation.inspect(state);
            assertTrue(isolation.violations.stream().anyMatch(x -> x.contains("control-plane process connects into the "
                    + "enclave")), isolation.violations::toString);
            assertTrue(accepted.isConnected() && into.isConnected());
        }
    }
}
