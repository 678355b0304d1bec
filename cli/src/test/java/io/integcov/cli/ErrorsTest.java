package io.integcov.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class ErrorsTest {

    @Test
    void showsTheWholeCauseChain() {
        Exception error = new IllegalStateException("An error has occurred.",
                new IOException("Invalid DER: object is not integer"));

        assertEquals("An error has occurred.: caused by IOException: Invalid DER: object is not integer",
                Errors.describe(error));
    }

    @Test
    void skipsCausesThatRepeatTheMessageAndNamesExceptionsWithoutOne() {
        IOException root = new IOException("connection refused");
        Exception error = new RuntimeException(root); // its message is root.toString()

        assertEquals("java.io.IOException: connection refused", Errors.describe(error));
        assertEquals("java.lang.NullPointerException", Errors.describe(new NullPointerException()));
    }
}
