package dev.airlock.deploy.stack;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every port of the local stack. The defaults are the ones SERVICE-CONTRACTS names; {@code AIRLOCK_PORT_BASE=B} moves
 * the whole stack to {@code B..B+9} so a second stack (the e2e test's) never clashes with a developer's.
 *
 * @param diode UDP port the diode receiver listens on (the only datagram path from control to enclave)
 */
public record Ports(int controlKafka, int controlKafkaController, int enclaveKafka, int enclaveKafkaController,
                    int controlPostgres, int enclavePostgres, int planner, int approval, int evidence, int diode) {

    public static final Ports DEFAULTS = new Ports(19092, 19093, 29092, 29093, 15432, 25432, 8081, 8082, 8083, 19500);

    public Ports {
        for (int p : new int[] {controlKafka, controlKafkaController, enclaveKafka, enclaveKafkaController,
                controlPostgres, enclavePostgres, planner, approval, evidence, diode}) {
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("port out of range: " + p);
            }
        }
    }

    /** {@code base .. base+9}, in the order of the record's components. */
    public static Ports fromBase(int base) {
        if (base < 1024 || base > 65525) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "AIRLOCK_PORT_BASE must be 1024..65525 (the stack uses BASE..BASE+9), got %d", base));
        }
        return new Ports(base, base + 1, base + 2, base + 3, base + 4, base + 5, base + 6, base + 7, base + 8, base + 9);
    }

    /** TCP ports the stack listens on, with what listens there (for "port taken" messages). */
    public Map<Integer, String> tcp() {
        Map<Integer, String> m = new LinkedHashMap<>();
        m.put(controlKafka, "control Kafka");
        m.put(controlKafkaController, "control Kafka controller");
        m.put(enclaveKafka, "enclave Kafka");
        m.put(enclaveKafkaController, "enclave Kafka controller");
        m.put(controlPostgres, "control PostgreSQL");
        m.put(enclavePostgres, "enclave PostgreSQL");
        m.put(planner, "planner-service HTTP");
        m.put(approval, "approval-service HTTP");
        m.put(evidence, "evidence-service HTTP");
        return m;
    }

    /** Ports of control-plane listeners: nothing in the enclave may ever connect to one of them. */
    public java.util.Set<Integer> controlPlaneTcp() {
        return java.util.Set.of(controlKafka, controlKafkaController, controlPostgres, planner, approval);
    }

    /** Ports of enclave listeners. */
    public java.util.Set<Integer> enclaveTcp() {
        return java.util.Set.of(enclaveKafka, enclaveKafkaController, enclavePostgres, evidence);
    }

    public String controlBootstrap() {
        return "127.0.0.1:" + controlKafka;
    }

    public String enclaveBootstrap() {
        return "127.0.0.1:" + enclaveKafka;
    }
}
