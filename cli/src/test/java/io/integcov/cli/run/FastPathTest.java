package io.integcov.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class FastPathTest {

    @Test
    void plainRunSkipsPicocli() {
        assertEquals(List.of("app", "-exit", "3"), RunCommand.fastPath(new String[] {"run", "--", "app", "-exit", "3"}));
        assertEquals(List.of("app", "--", "x"), RunCommand.fastPath(new String[] {"run", "app", "--", "x"}));
        assertEquals(List.of("--"), RunCommand.fastPath(new String[] {"run", "--", "--"}));
    }

    @Test
    void everythingElseGoesToPicocli() {
        assertNull(RunCommand.fastPath(new String[] {"run"}));
        assertNull(RunCommand.fastPath(new String[] {"run", "--"}));
        assertNull(RunCommand.fastPath(new String[] {"run", "--help"}));
        assertNull(RunCommand.fastPath(new String[] {"install", "/x"}));
        assertNull(RunCommand.fastPath(new String[] {}));
    }
}
