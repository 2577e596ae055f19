package dev.airlock.runner.domain;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Capsule ids may carry '/' and ':'; on disk they must stay one harmless file name each, and come back unchanged. */
class FileNamesTest {

    @Test
    void idsBecomeSingleSafeNamesAndDecodeBack() {
        for (String id : List.of("0194f3c2-7b1e-7cc0-9a55-3f1f2d7c9a01", "a/../../etc/passwd", "x:y@z+w",
                "capsule_1", "ä-ü")) {
            String name = FileNames.encode(id);
            assertFalse(name.contains("/"), name);
            assertFalse(name.equals(".") || name.equals(".."), name);
            assertEquals(id, FileNames.decode(name));
        }
        assertEquals("a_2f.._2f.._2fetc_2fpasswd", FileNames.encode("a/../../etc/passwd"));
        assertEquals("capsule_5f1", FileNames.encode("capsule_1"));
    }

    @Test
    void namesThatAreNoEncodingAreRefused() {
        assertNull(FileNames.decode("bad_zz"));
        assertNull(FileNames.decode("trailing_2"));
        assertNull(FileNames.decode("capsule_1")); // "_1" would have been written "_5f1"
    }
}
