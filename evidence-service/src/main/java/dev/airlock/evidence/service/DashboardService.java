package dev.airlock.evidence.service;

import dev.airlock.core.crypto.Hex;
import dev.airlock.evidence.repository.CheckpointRow;
import dev.airlock.evidence.repository.LogHead;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.qute.TemplateData;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.hibernate.reactive.mutiny.Mutiny;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What the enclave dashboard shows, straight from the database: the last 24 hours and the state of the log. */
@ApplicationScoped
public class DashboardService {
    /** Outcomes in chart order, with their colours. */
    public static final Map<String, String> OUTCOMES = new LinkedHashMap<>();

    static {
        OUTCOMES.put("APPLIED", "#2e7d32");
        OUTCOMES.put("OBSERVED", "#0277bd");
        OUTCOMES.put("ROLLED_BACK", "#f9a825");
        OUTCOMES.put("ROLLBACK_FAILED", "#6a1b9a");
        OUTCOMES.put("INTERRUPTED", "#8d6e63");
        OUTCOMES.put("REJECTED", "#c62828");
    }

    private static final int HOURS = 24;
    private static final int CHART_W = 720;
    private static final int CHART_H = 180;

    private final Clock clock;

    @Inject
    public DashboardService(Clock clock) {
        this.clock = clock;
    }

    @TemplateData
    public record Count(String name, long count, String colour) {
    }

    @TemplateData
    public record Bar(String outcome, String colour, int x, int y, int width, int height, String label) {
    }

    @TemplateData
    public record Axis(int x, String label) {
    }

    @TemplateData
    public record Dashboard(String log, Instant generatedAt, long runs, long passed, String passRate, long rollbacks,
                            long rejections, List<Count> outcomes, List<Count> rejectionReasons,
                            List<Count> quarantined, long quarantinedTotal, long diodeGaps, long diodeMissing,
                            String lastGap, long logSize, Long checkpointSize, String checkpointAt,
                            String checkpointRoot, List<Bar> bars, List<Axis> axis, int chartWidth,
                            int chartHeight, int svgHeight, int axisY, long chartMax) {
    }

    public Uni<Dashboard> snapshot() {
        Instant now = clock.instant();
        Instant since = now.minus(Duration.ofHours(HOURS));
        OffsetDateTime from = OffsetDateTime.ofInstant(since, ZoneOffset.UTC);
        return Panache.withSession(() -> Panache.getSession().chain(s -> {
            Uni<List<Object[]>> outcomes = rows(s, "select outcome, count(*) from evidence_leaf where entry_kind = "
                    + "'bundle' and received_at >= ?1 group by outcome", from);
            Uni<List<Object[]>> hourly = rows(s, "select cast(floor(extract(epoch from received_at) / 3600) as bigint), "
                    + "outcome, count(*) from evidence_leaf where entry_kind = 'bundle' and received_at >= ?1 "
                    + "group by 1, 2", from);
            Uni<List<Object[]>> reasons = rows(s, "select coalesce(reason, 'UNSPECIFIED'), count(*) from evidence_leaf "
                    + "where entry_kind = 'bundle' and outcome = 'REJECTED' and received_at >= ?1 group by 1 "
                    + "order by 2 desc, 1", from);
            Uni<List<Object[]>> quarantine = rows(s, "select reason, count(*) from quarantine where received_at >= ?1 "
                    + "group by 1 order by 2 desc, 1", from);
            Uni<List<Object[]>> gaps = rows(s, "select count(*), coalesce(sum(gap_to - gap_from + 1), 0), "
                    + "max(received_at) from diode_event where schema_name = 'airlock.diode.gap/v1' "
                    + "and received_at >= ?1", from);
            return outcomes.chain(o -> hourly.chain(h -> reasons.chain(r -> quarantine.chain(q -> gaps.chain(g ->
                    LogHead.<LogHead>findById(LogHead.ID).chain(head ->
                            CheckpointRow.<CheckpointRow>find("order by size desc").firstResult().map(cp ->
                                    build(now, o, h, r, q, g.get(0), head, cp))))))));
        }));
    }

    private static Uni<List<Object[]>> rows(Mutiny.Session s, String sql, OffsetDateTime from) {
        return s.createNativeQuery(sql, Object[].class).setParameter(1, from).getResultList();
    }

    private Dashboard build(Instant now, List<Object[]> outcomeRows, List<Object[]> hourly, List<Object[]> reasonRows,
                            List<Object[]> quarantineRows, Object[] gaps, LogHead head, CheckpointRow cp) {
        Map<String, Long> byOutcome = new LinkedHashMap<>();
        OUTCOMES.keySet().forEach(k -> byOutcome.put(k, 0L));
        for (Object[] r : outcomeRows) {
            byOutcome.merge((String) r[0], ((Number) r[1]).longValue(), Long::sum);
        }
        long rejections = byOutcome.getOrDefault("REJECTED", 0L);
        long passed = byOutcome.get("APPLIED") + byOutcome.get("OBSERVED");
        long rollbacks = byOutcome.get("ROLLED_BACK") + byOutcome.get("ROLLBACK_FAILED");
        long runs = byOutcome.values().stream().mapToLong(Long::longValue).sum() - rejections;
        String passRate = runs == 0 ? "—" : String.format(Locale.ROOT, "%.1f %%", 100.0 * passed / runs);
        List<Count> outcomes = new ArrayList<>();
        byOutcome.forEach((k, v) -> outcomes.add(new Count(k, v, OUTCOMES.getOrDefault(k, "#757575"))));
        List<Count> reasons = reasonRows.stream().map(r -> new Count((String) r[0], ((Number) r[1]).longValue(),
                "#c62828")).toList();
        List<Count> quarantined = quarantineRows.stream().map(r -> new Count((String) r[0],
                ((Number) r[1]).longValue(), "#757575")).toList();
        long quarantinedTotal = quarantined.stream().mapToLong(Count::count).sum();

        // Outcomes over time: one stacked bar per hour, oldest on the left.
        long nowHour = now.getEpochSecond() / 3600;
        long firstHour = nowHour - (HOURS - 1);
        long[][] stacks = new long[HOURS][OUTCOMES.size()];
        List<String> names = new ArrayList<>(OUTCOMES.keySet());
        for (Object[] r : hourly) {
            int bucket = (int) (((Number) r[0]).longValue() - firstHour);
            int o = names.indexOf((String) r[1]);
            if (bucket >= 0 && bucket < HOURS && o >= 0) {
                stacks[bucket][o] += ((Number) r[2]).longValue();
            }
        }
        long max = 1;
        for (long[] s : stacks) {
            max = Math.max(max, java.util.Arrays.stream(s).sum());
        }
        int slot = CHART_W / HOURS;
        List<Bar> bars = new ArrayList<>();
        DateTimeFormatter hh = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);
        for (int b = 0; b < HOURS; b++) {
            int y = CHART_H;
            Instant hour = Instant.ofEpochSecond((firstHour + b) * 3600);
            for (int o = 0; o < names.size(); o++) {
                long c = stacks[b][o];
                if (c == 0) {
                    continue;
                }
                int h = (int) Math.max(1, Math.round((double) c * CHART_H / max));
                y -= h;
                bars.add(new Bar(names.get(o), OUTCOMES.get(names.get(o)), b * slot + 2, y, slot - 4, h,
                        String.format(Locale.ROOT, "%s %s: %d", hh.format(hour), names.get(o), c)));
            }
        }
        List<Axis> axis = new ArrayList<>();
        for (int b = 0; b < HOURS; b += 6) {
            axis.add(new Axis(b * slot + 2, hh.format(Instant.ofEpochSecond((firstHour + b) * 3600))));
        }
        long gapCount = ((Number) gaps[0]).longValue();
        long missing = ((Number) gaps[1]).longValue();
        String lastGap = gaps[2] == null ? "none" : format(gaps[2]);
        return new Dashboard(head == null ? "?" : head.logId, now.truncatedTo(ChronoUnit.SECONDS), runs, passed,
                passRate, rollbacks, rejections, outcomes, reasons, quarantined, quarantinedTotal, gapCount, missing,
                lastGap, head == null ? 0 : head.size, cp == null ? null : cp.size,
                cp == null ? "never" : cp.createdAt.truncatedTo(ChronoUnit.SECONDS).toString(),
                cp == null ? "" : Hex.encode(cp.rootHash).substring(0, 16), bars, axis, CHART_W, CHART_H, CHART_H + 20, CHART_H + 15, max);
    }

    private static String format(Object time) {
        if (time instanceof OffsetDateTime o) {
            return o.toInstant().truncatedTo(ChronoUnit.SECONDS).toString();
        }
        if (time instanceof Instant i) {
            return i.truncatedTo(ChronoUnit.SECONDS).toString();
        }
        return String.valueOf(time);
    }
}
