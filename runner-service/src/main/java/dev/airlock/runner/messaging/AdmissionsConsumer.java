package dev.airlock.runner.messaging;

import dev.airlock.core.events.KafkaMessages;
import dev.airlock.core.events.Admission;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.runner.config.RunnerKeys;
import dev.airlock.runner.service.RunnerService;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.concurrent.CompletionStage;

/**
 * Consumes {@code airlock.admissions.v1}: gateway-signed admissions ({@link Admission}: v2, a DSSE statement
 * {@code application/vnd.airlock.admission.v2+json} with the signed capsule beside it, named by its digest; v1 records
 * are still read). The signature is checked against the configured gateway key over the exact bytes, and then the
 * capsule's digest, before anything else is parsed ({@link Admission#verify}); a record that is not an admission signed
 * by that key is dead-lettered with its reason ({@code MALFORMED}, {@code UNKNOWN_KEY}, {@code SIGNATURE_INVALID},
 * {@code DIGEST_MISMATCH}, ...) and runs nothing.
 *
 * <p>Records are handled one at a time, in order, on a worker thread ({@code @Blocking(ordered = true)}: signature
 * checks and file look-ups stay off the event loop). Verified admissions go to {@link RunnerService}; this method
 * returns as soon as the admission has been taken (its run queued on its workspace's lane), so the connector keeps
 * polling while a validation runs for minutes. The record is acknowledged, and its offset committed (throttled
 * strategy), only once the run's evidence is spooled. {@code throttled.unprocessed-record-max-age.ms} is 0 for this
 * channel because an unacknowledged record is normal for as long as a validation's timeout allows.
 */
@ApplicationScoped
public class AdmissionsConsumer {

    private final RunnerKeys keys;
    private final RunnerService runner;

    @Inject
    public AdmissionsConsumer(RunnerKeys keys, RunnerService runner) {
        this.keys = keys;
        this.runner = runner;
    }

    @Incoming(Channels.ADMISSIONS_IN)
    @Blocking(ordered = true)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        Admission admission;
        try {
            admission = Admission.verify(message.getPayload(), keys.gateway());
        } catch (VerificationException e) {
            return KafkaMessages.deadLetter(message, e);
        } catch (RuntimeException e) {
            // Binding checks that are not typed as verification failures: still not an admission.
            return KafkaMessages.deadLetter(message, new VerificationException(ReasonCode.MALFORMED,
                    "not an admission: " + e.getClass().getSimpleName()));
        }
        return runner.submit(admission, message::ack);
    }
}
