package dev.airlock.approval.repository;

import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

@ApplicationScoped
public class OutboxRepository {

    public record Entry(long id, String capsuleId, byte[] payload) {
    }

    /** One row per capsule (unique): a second authorization of the same capsule cannot queue a second emission. */
    public void insert(Connection c, String capsuleId, byte[] payload, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "insert into outbox (capsule_id, payload, created_at) values (?, ?, ?)")) {
            ps.setString(1, capsuleId);
            ps.setBytes(2, payload);
            ps.setTimestamp(3, Db.ts(at));
            ps.executeUpdate();
        }
    }

    /**
     * Claims up to {@code limit} unsent rows until {@code claimedUntil}, skipping rows another relay instance holds
     * (FOR UPDATE SKIP LOCKED) or claimed and still within its claim.
     */
    public List<Entry> claim(Connection c, Instant now, Instant claimedUntil, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("update outbox set claimed_until = ? where id in ("
                + "select id from outbox where sent_at is null and (claimed_until is null or claimed_until < ?) "
                + "order by id limit ? for update skip locked) returning id, capsule_id, payload")) {
            ps.setTimestamp(1, Db.ts(claimedUntil));
            ps.setTimestamp(2, Db.ts(now));
            ps.setInt(3, limit);
            List<Entry> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Entry(rs.getLong(1), rs.getString(2), rs.getBytes(3)));
                }
            }
            out.sort((a, b) -> Long.compare(a.id(), b.id()));
            return out;
        }
    }

    /** True if this call marked it (false: it was already marked by an earlier relay pass). */
    public boolean markSent(Connection c, long id, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "update outbox set sent_at = ?, claimed_until = null where id = ? and sent_at is null")) {
            ps.setTimestamp(1, Db.ts(at));
            ps.setLong(2, id);
            return ps.executeUpdate() == 1;
        }
    }

    /** Releases a claim after a failed publication so the next pass retries at once. */
    public void release(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "update outbox set claimed_until = null where id = ? and sent_at is null")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
    }

    public long unsent(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select count(*) from outbox where sent_at is null");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
