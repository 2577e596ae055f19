package dev.airlock.testsupport.net;

import dev.airlock.testsupport.net.SocketInspector.Socket;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SocketInspectorTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void seesAListeningTcpSocketABoundUdpSocketAndAnEstablishedConnection() throws Exception {
        SocketInspector inspector = SocketInspector.forCurrentProcess();
        try (ServerSocket server = new ServerSocket(0, 1, LOOPBACK);
             DatagramSocket udp = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
             java.net.Socket client = new java.net.Socket(LOOPBACK, server.getLocalPort());
             java.net.Socket accepted = server.accept()) {
            int serverPort = server.getLocalPort();
            SocketInspector.Snapshot snapshot = inspector.snapshot();

            List<Socket> listening = snapshot.listeningTcp().stream().filter(s -> s.localPort() == serverPort).toList();
            assertEquals(1, listening.size(), snapshot.sockets().toString());
            assertEquals(LOOPBACK, listening.get(0).localAddress());

            List<Socket> udpSockets = snapshot.boundUdp().stream()
                    .filter(s -> s.localPort() == udp.getLocalPort()).toList();
            assertEquals(1, udpSockets.size(), snapshot.sockets().toString());
            assertEquals(0, udpSockets.get(0).remotePort());

            // both ends of the connection belong to this process: the client towards serverPort, the accepted
            // socket from it
            List<Socket> toServer = snapshot.establishedTcp().stream()
                    .filter(s -> s.remotePort() == serverPort).toList();
            assertEquals(1, toServer.size(), snapshot.sockets().toString());
            assertEquals(client.getLocalPort(), toServer.get(0).localPort());
            assertTrue(snapshot.establishedTcp().stream()
                    .anyMatch(s -> s.localPort() == serverPort && s.remotePort() == client.getLocalPort()));
        }
    }

    @Test
    void seesTheRemotePortOfAConnectedUdpSocket() throws Exception {
        try (DatagramSocket receiver = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
             DatagramSocket sender = new DatagramSocket(null)) {
            sender.connect(new InetSocketAddress(LOOPBACK, receiver.getLocalPort()));
            SocketInspector.Snapshot snapshot = SocketInspector.forCurrentProcess().snapshot();
            List<Socket> connected = snapshot.boundUdp().stream()
                    .filter(s -> s.remotePort() == receiver.getLocalPort()).toList();
            assertEquals(1, connected.size(), snapshot.sockets().toString());
            assertEquals(sender.getLocalPort(), connected.get(0).localPort());
            assertEquals(SocketInspector.State.ESTABLISHED, connected.get(0).state());
        }
    }

    @Test
    void closedSocketsDisappear() throws Exception {
        int tcpPort;
        int udpPort;
        try (ServerSocket server = new ServerSocket(0, 1, LOOPBACK);
             DatagramSocket udp = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            tcpPort = server.getLocalPort();
            udpPort = udp.getLocalPort();
        }
        SocketInspector.Snapshot after = SocketInspector.forCurrentProcess().snapshot();
        assertTrue(after.listeningTcp().stream().noneMatch(s -> s.localPort() == tcpPort), after.toString());
        assertTrue(after.boundUdp().stream().noneMatch(s -> s.localPort() == udpPort), after.toString());
    }

    @Test
    void inspectsAnotherProcessWithoutSocketsAsEmpty() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            SocketInspector.Snapshot snapshot = SocketInspector.forPid(sleeper.pid()).snapshot();
            assertEquals(sleeper.pid(), snapshot.pid());
            assertEquals(List.of(), snapshot.sockets());
        } finally {
            sleeper.destroyForcibly().waitFor();
        }
    }

    @Test
    void refusesAProcessThatDoesNotExist() {
        assertThrows(java.io.UncheckedIOException.class, () -> SocketInspector.forPid(Integer.MAX_VALUE).snapshot());
    }
}
