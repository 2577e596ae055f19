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
public class PolicyRepository {

    public void insert(Connection c, long version, String digest, byte[] envelope, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into policy_history (version, digest, envelope, "
                + "installed_at) values (?, ?, ?, ?) on conflict do nothing")) {
            ps.setLong(1, version);
            ps.setString(2, digest);
            ps.setBytes(3, envelope);
            ps.setTimestamp(4, Db.ts(at));
            ps.executeUpdate();
        }
    }

    /** Envelopes oldest first, to be replayed link by link through PolicyTrust. */
    public List<byte[]> history(Connection c) throws SQLException {
        List<byte[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select envelope from policy_history order by version");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getBytes(1));
            }
        }
        return out;
    }
}
