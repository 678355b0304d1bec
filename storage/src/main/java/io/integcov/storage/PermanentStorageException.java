package io.integcov.storage;

import java.io.IOException;

/** A storage failure that retrying will not fix (no such bucket, permission denied, bad request). */
public class PermanentStorageException extends IOException {
    public PermanentStorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
