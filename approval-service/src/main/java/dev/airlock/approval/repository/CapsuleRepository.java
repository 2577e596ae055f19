package dev.airlock.approval.repository;

import dev.airlock.approval.domain.CapsuleStatus;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

@ApplicationScoped
public class CapsuleRepository {
    private static final String COLUMNS = "capsule_id, capsule_digest, status, tier, environment, proposer, "
            + "policy_version, capsule_envelope, proposal, summary, finding_id, reason, detail, received_at, updated_at";

    /** Queues a capsule; false when the id is already queued (the caller then compares digests). */
    public boolean insert(Connection c, CapsuleRow r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into capsules (" + COLUMNS + ") values "
                + "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) on conflict (capsule_id) do nothing")) {
            ps.setString(1, r.capsuleId());
            ps.setString(2, r.capsuleDigest());
            ps.setString(3, r.status().db());
            ps.setString(4, r.tier());
            ps.setString(5, r.environment());
            ps.setString(6, r.proposer());
            ps.setLong(7, r.policyVersion());
            ps.setBytes(8, r.capsuleEnvelope());
            ps.setBytes(9, r.proposal());
            ps.setString(10, r.summary());
            ps.setString(11, r.findingId());
            ps.setString(12, r.reason());
            ps.setString(13, r.detail());
            ps.setTimestamp(14, Db.ts(r.receivedAt()));
            ps.setTimestamp(15, Db.ts(r.updatedAt()));
            return ps.executeUpdate() == 1;
        }
    }

    public Optional<CapsuleRow> find(Connection c, String capsuleId) throws SQLException {
        return one(c, "select " + COLUMNS + " from capsules where capsule_id = ?", capsuleId);
    }

    /** The row, locked until the transaction ends: decisions on one capsule are decided one at a time. */
    public Optional<CapsuleRow> lock(Connection c, String capsuleId) throws SQLException {
        return one(c, "select " + COLUMNS + " from capsules where capsule_id = ? for update", capsuleId);
    }

    public void setStatus(Connection c, String capsuleId, CapsuleStatus status, String reason, String detail,
                          Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "update capsules set status = ?, reason = ?, detail = ?, updated_at = ? where capsule_id = ?")) {
            ps.setString(1, status.db());
            ps.setString(2, reason);
            ps.setString(3, detail);
            ps.setTimestamp(4, Db.ts(at));
            ps.setString(5, capsuleId);
            ps.executeUpdate();
        }
    }

    /** Newest first, optionally one status only; at most {@code limit}. */
    public List<CapsuleRow> list(Connection c, CapsuleStatus status, int limit) throws SQLException {
        String sql = "select " + COLUMNS + " from capsules" + (status == null ? "" : " where status = ?")
                + " order by received_at desc, capsule_id limit ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (status != null) {
                ps.setString(i++, status.db());
            }
            ps.setInt(i, limit);
            return all(ps);
        }
    }

    /** tier → status → count. */
    public Map<String, Map<CapsuleStatus, Long>> counts(Connection c) throws SQLException {
        Map<String, Map<CapsuleStatus, Long>> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "select tier, status, count(*) from capsules group by tier, status order by tier, status");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), t -> new LinkedHashMap<>())
                        .put(CapsuleStatus.fromDb(rs.getString(2)), rs.getLong(3));
            }
        }
        return out;
    }

    private Optional<CapsuleRow> one(Connection c, String sql, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, id);
            List<CapsuleRow> rows = all(ps);
            return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
        }
    }

    private static List<CapsuleRow> all(PreparedStatement ps) throws SQLException {
        List<CapsuleRow> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new CapsuleRow(rs.getString(1), rs.getString(2), CapsuleStatus.fromDb(rs.getString(3)),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getLong(7), rs.getBytes(8),
                        rs.getBytes(9), rs.getString(10), rs.getString(11), rs.getString(12), rs.getString(13),
                        Db.instant(rs.getTimestamp(14)), Db.instant(rs.getTimestamp(15))));
            }
        }
        return out;
    }
}
