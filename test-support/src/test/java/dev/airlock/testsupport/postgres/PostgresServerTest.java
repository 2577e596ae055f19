package dev.airlock.testsupport.postgres;

import dev.airlock.testsupport.Infrastructure;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PostgresServerTest {

    @Test
    void servesSelectAndATableRoundTrip() throws Exception {
        try (PostgresServer server = PostgresServer.start(); Connection c = server.connect()) {
            assertEquals(Infrastructure.useContainers() ? "container" : "embedded", server.kind());
            assertTrue(server.jdbcUrl().startsWith("jdbc:postgresql://"), server.jdbcUrl());
            assertEquals(server.jdbcUrl().substring("jdbc:".length()), server.reactiveUrl());

            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 1, current_database()")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1));
                assertEquals(PostgresServer.DATABASE, rs.getString(2));
            }
            try (Statement s = c.createStatement()) {
                s.execute("create table admitted (capsule_id text primary key, sequence bigint not null)");
            }
            try (PreparedStatement p = c.prepareStatement("insert into admitted values (?, ?)")) {
                for (long seq = 1; seq <= 3; seq++) {
                    p.setString(1, "capsule-" + seq);
                    p.setLong(2, seq);
                    p.executeUpdate();
                }
            }
            List<String> rows = new ArrayList<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select capsule_id, sequence from admitted order by sequence desc")) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + "@" + rs.getLong(2));
                }
            }
            assertEquals(List.of("capsule-3@3", "capsule-2@2", "capsule-1@1"), rows);
        }
    }
}
