package dev.airlock.bench.verify;

import dev.airlock.bench.Results;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs {@link VerifyBenchmark} with JMH and writes {@code bench/results/verify.json}: the engine's throughput, the
 * same-run bound (SHA-256 + 4 Ed25519 verifies + parse) as the reference, their ratio (target ≥ 0.70), and the raw
 * BouncyCastle Ed25519 verify rate.
 *
 * <pre>./mvnw -B -pl bench -am -DskipTests package
 * java -cp "bench/target/bench.jar:bench/target/lib/*" dev.airlock.bench.verify.VerifyBench</pre>
 */
public final class VerifyBench {
    private VerifyBench() {
    }

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Options opts = new OptionsBuilder()
                .include(VerifyBenchmark.class.getName() + ".*")
                .forks(1)
                .warmupIterations(3)
                .warmupTime(TimeValue.seconds(2))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.seconds(2))
                .jvmArgsAppend("-Xmx512m")
                .build();
        String loadBefore = Results.loadAverage();
        Collection<RunResult> results = new Runner(opts).run();
        Map<String, double[]> score = new LinkedHashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1);
            score.put(name, new double[] {r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()});
        }
        double engine = score.get("engine")[0];
        double bound = score.get("bound")[0];
        double raw = score.get("rawEd25519Verify")[0];
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", "verify");
        doc.put("metric", "capsule verify throughput (10 KB capsule, 3 approvals, admitted)");
        doc.put("unit", "ops/s");
        doc.put("value", round(engine));
        doc.put("valueError", round(score.get("engine")[1]));
        doc.put("reference", "same-run bound: SHA-256 of the capsule payload + 4 Ed25519 verifies + one Jackson parse");
        doc.put("referenceValue", round(bound));
        doc.put("referenceError", round(score.get("bound")[1]));
        doc.put("ratio", Math.round(engine / bound * 1000) / 1000.0);
        doc.put("target", "ratio >= 0.70");
        doc.put("rawEd25519VerifyPerSec", round(raw));
        doc.put("rawEd25519VerifyError", round(score.get("rawEd25519Verify")[1]));
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("capsuleBytesTarget", VerifyBenchmark.CAPSULE_BYTES);
        params.put("approvals", 3);
        params.put("jmh", "1 fork, 3x2 s warmup, " + iterations + "x2 s measurement, throughput mode");
        doc.put("params", params);
        doc.put("machine", Results.machine(loadBefore));
        doc.put("date", Results.today());
        Path out = Results.write("verify", doc);
        System.out.printf(java.util.Locale.ROOT, "engine %.0f ops/s, bound %.0f ops/s, ratio %.3f, raw Ed25519 verify %.0f/s -> %s%n",
                engine, bound, engine / bound, raw, out);
    }

    private static double round(double d) {
        return Math.round(d * 10) / 10.0;
    }
}
