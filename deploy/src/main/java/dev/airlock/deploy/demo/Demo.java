package dev.airlock.deploy.demo;

import dev.airlock.deploy.stack.Progress;
import dev.airlock.deploy.stack.Site;
import dev.airlock.deploy.stack.StackSettings;

import java.time.Clock;

public final class Demo {
    public record Report(boolean ok) {
    }

    public Demo(StackSettings settings, Site site, Progress progress, Clock clock) {
    }

    public Report run() {
        return new Report(false);
    }
}
