package dev.airlock.approval.repository;

import dev.airlock.approval.domain.AuditEvent;
import dev.airlock.approval.domain.AuditKind;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The audit trail. Insert and select only: there is no update or delete here, and the table refuses both. */
@ApplicationScoped
public class AuditRepository {

    public void append(Connection c, AuditEvent e) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into audit_events (at, kind, actor, via, capsule_id, "
                + "capsule_digest, tier, reason, detail, subject_digest) values (?,?,?,?,?,?,?,?,?,?)")) {
            ps.setTimestamp(1, Db.ts(e.at()));
            ps.setString(2, e.kind().name());
            ps.setString(3, e.actor());
            ps.setString(4, e.via());
            ps.setString(5, e.capsuleId());
            ps.setString(6, e.capsuleDigest());
            ps.setString(7, e.tier());
            ps.setString(8, e.reason());
            ps.setString(9, e.detail() == null || e.detail().length() <= 2000 ? e.detail()
                    : e.detail().substring(0, 2000) + "…");
            ps.setString(10, e.subjectDigest());
            ps.executeUpdate();
        }
    }

    /**
     * Oldest first, after sequence number {@code afterSeq}; optionally one capsule or one kind only.
     */
    public List<AuditEvent> query(Connection c, String capsuleId, AuditKind kind, long afterSeq, int limit)
            throws SQLException {
        StringBuilder sql = new StringBuilder("select seq, at, kind, actor, via, capsule_id, capsule_digest, tier, "
                + "reason, detail, subject_digest from audit_events where seq > ?");
        if (capsuleId != null) {
            sql.append(" and capsule_id = ?");
        }
        if (kind != null) {
            sql.append(" and kind = ?");
        }
        sql.append(" order by seq limit ?");
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            ps.setLong(i++, afterSeq);
            if (capsuleId != null) {
                ps.setString(i++, capsuleId);
            }
            if (kind != null) {
                ps.setString(i++, kind.name());
            }
            ps.setInt(i, limit);
            List<AuditEvent> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new AuditEvent(rs.getLong(1), Db.instant(rs.getTimestamp(2)),
                            AuditKind.valueOf(rs.getString(3)), rs.getString(4), rs.getString(5), rs.getString(6),
                            rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11)));
                }
            }
            return out;
        }
    }
}
