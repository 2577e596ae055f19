package dev.airlock.diode.receive;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RangeSetTest {
    @Test
    void outOfOrderInsertsMergeIntoRanges() {
        RangeSet s = new RangeSet();
        for (long v : new long[] {5, 1, 3, 2, 9, 4, 10}) {
            s.add(v);
        }
        assertEquals("[1-5,9-10]", s.toString());
        assertEquals(6, s.firstAbsentFrom(1));
        assertEquals(9, s.firstMemberAbove(6));
        assertTrue(s.contains(10));
        assertFalse(s.contains(8));
        s.addRange(6, 8);
        assertEquals("[1-10]", s.toString());
        assertEquals(10, s.count());
    }
}
