package io.integcov.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChecksumsTest {
    @Test
    void crc32cOfTheStandardCheckValue(@TempDir Path tmp) throws Exception {
        assertEquals(0xE3069283L, Checksums.crc32c(Files.writeString(tmp.resolve("f"), "123456789")));
        assertEquals(0L, Checksums.crc32c(Files.write(tmp.resolve("empty"), new byte[0])));
    }
}
