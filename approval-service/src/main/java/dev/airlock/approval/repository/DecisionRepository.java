package dev.airlock.approval.repository;

import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

@ApplicationScoped
public class DecisionRepository {
    private static final String COLUMNS = "id, capsule_id, envelope_sha256, envelope, approver, role, decision, basis, "
            + "ticket, decided_at, received_at, received_via, received_from";

    public void insert(Connection c, DecisionRow r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into decisions (capsule_id, envelope_sha256, envelope, "
                + "approver, role, decision, basis, ticket, decided_at, received_at, received_via, received_from) "
                + "values (?,?,?,?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, r.capsuleId());
            ps.setString(2, r.envelopeSha256());
            ps.setBytes(3, r.envelope());
            ps.setString(4, r.approver());
            ps.setString(5, r.role());
            ps.setString(6, r.decision());
            ps.setString(7, r.basis());
            ps.setString(8, r.ticket());
            ps.setTimestamp(9, Db.ts(r.decidedAt()));
            ps.setTimestamp(10, Db.ts(r.receivedAt()));
            ps.setString(11, r.receivedVia());
            ps.setString(12, r.receivedFrom());
            ps.executeUpdate();
        }
    }

    public Optional<DecisionRow> findBySha256(Connection c, String sha256) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select " + COLUMNS + " from decisions where envelope_sha256 = ?")) {
            ps.setString(1, sha256);
            List<DecisionRow> rows = all(ps);
            return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
        }
    }

    /** In arrival order. */
    public List<DecisionRow> forCapsule(Connection c, String capsuleId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select " + COLUMNS + " from decisions where capsule_id = ? order by id")) {
            ps.setString(1, capsuleId);
            return all(ps);
        }
    }

    /**
     * The decisions of several capsules, each list in arrival order: one query where the queue page made one per
     * capsule (500 of them for a full page). Capsules without a decision are absent from the map.
     */
    public Map<String, List<DecisionRow>> forCapsules(Connection c, Collection<String> capsuleIds) throws SQLException {
        Map<String, List<DecisionRow>> out = new HashMap<>();
        if (capsuleIds.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "select " + COLUMNS + " from decisions where capsule_id = any(?) order by capsule_id, id")) {
            ps.setArray(1, c.createArrayOf("text", capsuleIds.toArray()));
            for (DecisionRow r : all(ps)) {
                out.computeIfAbsent(r.capsuleId(), k -> new ArrayList<>()).add(r);
            }
        }
        return out;
    }

    private static List<DecisionRow> all(PreparedStatement ps) throws SQLException {
        List<DecisionRow> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new DecisionRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBytes(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                        Db.instant(rs.getTimestamp(10)), Db.instant(rs.getTimestamp(11)), rs.getString(12),
                        rs.getString(13)));
            }
        }
        return out;
    }
}
