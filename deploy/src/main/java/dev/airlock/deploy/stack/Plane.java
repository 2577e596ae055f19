package dev.airlock.deploy.stack;

/** Which side of the diode a process belongs to (ARCHITECTURE §1). */
public enum Plane {
    CONTROL("control"),
    ENCLAVE("enclave");

    private final String label;

    Plane(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
