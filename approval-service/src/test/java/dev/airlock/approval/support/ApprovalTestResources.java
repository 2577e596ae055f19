package dev.airlock.approval.support;

import dev.airlock.core.events.Topics;

/** The topics every approval test application starts with (pre-created with their dead-letter twins). */
public final class ApprovalTestResources {
    public static final String TOPICS = Topics.PROPOSALS + "," + Topics.DECISIONS + "," + Topics.POLICY_SIGNED + ","
            + Topics.CAPSULES_SIGNED;

    private ApprovalTestResources() {
    }
}
