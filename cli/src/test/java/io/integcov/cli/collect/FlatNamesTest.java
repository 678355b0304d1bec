package io.integcov.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Set;
import org.junit.jupiter.api.Test;

class FlatNamesTest {
    @Test
    void freeNameIsKept() {
        assertEquals("covcounters.ab.1.5", FlatNames.unclashed("covcounters.ab.1.5", Set.of("covmeta.ab")));
    }

    @Test
    void clashingCounterFileGetsAnotherPidField() {
        assertEquals("covcounters.ab.1000001.5", FlatNames.unclashed("covcounters.ab.1.5",
                Set.of("covcounters.ab.1.5", "covcounters.ab.1000000.5")));
    }

    @Test
    void clashingMetaFileWithOtherContentIsAnError() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> FlatNames.unclashed("covmeta.ab", Set.of("covmeta.ab")));
        assertEquals("two different files are both named covmeta.ab", error.getMessage());
    }
}
