package dev.airlock.deploy.bench;

import dev.airlock.deploy.stack.Progress;
import dev.airlock.deploy.stack.Stack;

import java.time.Clock;
import java.util.Map;

public final class E2eBench {
    public E2eBench(Stack stack, Progress progress, Clock clock) {
    }

    public Map<String, Object> run(int capsules, double rate) {
        return Map.of();
    }
}
