package dev.airlock.e2e;

import dev.airlock.deploy.stack.Ports;
import dev.airlock.deploy.stack.Processes;
import dev.airlock.deploy.stack.StackState;
import dev.airlock.testsupport.net.SocketInspector;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Inspects the sockets of every process of a running stack (and their children: PostgreSQL runs under its node) and
 * records every breach of ARCHITECTURE §1 invariants 1 and 2 as seen from the kernel:
 * <ul>
 *   <li>no enclave process holds a TCP connection towards a control-plane port, and every connection it opens goes to
 *       an enclave listener;</li>
 *   <li>no control-plane process holds a TCP connection towards an enclave port (the diode is the only path);</li>
 *   <li>inside the enclave only the enclave broker, the enclave PostgreSQL and the evidence service's HTTP listen on
 *       TCP; the diode receiver's only UDP socket is bound to the diode port and unconnected (it receives, it never
 *       sends); no other enclave process binds UDP (PostgreSQL's self-connected statistics socket aside).</li>
 * </ul>
 */
final class PlaneIsolation {
    private final Ports ports;
    final List<String> violations = new CopyOnWriteArrayList<>();
    /** Snapshots taken per process name: proof that the check looked at each of them while it ran. */
    final Map<String, Integer> inspected = new ConcurrentHashMap<>();

    PlaneIsolation(Ports ports) {
        this.ports = ports;
    }

    private Map<String, Set<Integer>> allowedListeners() {
        Map<String, Set<Integer>> m = new HashMap<>();
        m.put("kafka-enclave", Set.of(ports.enclaveKafka(), ports.enclaveKafkaController()));
        m.put("postgres-enclave", Set.of(ports.enclavePostgres()));
        m.put("evidence-service", Set.of(ports.evidence()));
        return m;
    }

    /** One pass over every live process of {@code state}. */
    void inspect(StackState state) {
        Map<String, Set<Integer>> allowed = allowedListeners();
        for (StackState.Proc p : state.processes()) {
            Optional<ProcessHandle> h = Processes.live(p);
            if (h.isEmpty()) {
                continue;
            }
            List<ProcessHandle> tree = new ArrayList<>();
            tree.add(h.get());
            tree.addAll(h.get().descendants().toList());
            boolean enclave = "enclave".equals(p.plane());
            for (ProcessHandle ph : tree) {
                SocketInspector.Snapshot snap;
                try {
                    snap = SocketInspector.forPid(ph.pid()).snapshot();
                } catch (UncheckedIOException e) {
                    continue; // exited between listing and reading
                }
                inspected.merge(p.name(), 1, Integer::sum);
                Set<Integer> listening = new java.util.HashSet<>();
                snap.listeningTcp().forEach(s -> listening.add(s.localPort()));
                if (enclave) {
                    for (SocketInspector.Socket s : snap.listeningTcp()) {
                        if (!allowed.getOrDefault(p.name(), Set.of()).contains(s.localPort())) {
                            record(p, ph, "listens on TCP " + s);
                        }
                    }
                    for (SocketInspector.Socket s : snap.sockets()) {
                        if (s.protocol() != SocketInspector.Protocol.UDP) {
                            continue;
                        }
                        boolean selfConnected = s.remotePort() == s.localPort()
                                && s.remoteAddress().equals(s.localAddress());
                        boolean diodeReceive = p.name().equals("diode-receive") && s.localPort() == ports.diode()
                                && s.remotePort() == 0;
                        if (!(selfConnected && p.name().startsWith("postgres-")) && !diodeReceive) {
                            record(p, ph, "holds UDP socket " + s);
                        }
                    }
                }
                for (SocketInspector.Socket s : snap.establishedTcp()) {
                    if (listening.contains(s.localPort())) {
                        continue; // accepted from a client: judged from the client's side
                    }
                    if (enclave && ports.controlPlaneTcp().contains(s.remotePort())) {
                        record(p, ph, "connects to the control plane: " + s);
                    } else if (enclave && !ports.enclaveTcp().contains(s.remotePort())) {
                        record(p, ph, "connects outside the enclave's listeners: " + s);
                    } else if (!enclave && ports.enclaveTcp().contains(s.remotePort())) {
                        record(p, ph, "control-plane process connects into the enclave: " + s);
                    }
                }
            }
        }
    }

    private void record(StackState.Proc p, ProcessHandle ph, String what) {
        String v = String.format(Locale.ROOT, "%s %s (pid %d%s) %s", p.plane(), p.name(), ph.pid(),
                ph.pid() == p.pid() ? "" : ", child of " + p.pid(), what);
        if (!violations.contains(v)) {
            violations.add(v);
        }
    }
}
