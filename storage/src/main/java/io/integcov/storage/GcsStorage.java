package io.integcov.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** {@code gs://bucket/prefix} through google-cloud-storage; honours STORAGE_EMULATOR_HOST (fake-gcs-server). */
public final class GcsStorage implements Storage {
    // Implemented by the storage/cli developer: see TEAM-NOTES.
    static GcsStorage open(String bucket, String prefix) {
        throw new UnsupportedOperationException("gs:// not implemented yet");
    }

    @Override
    public void put(String key, Path file) throws IOException {
        throw new UnsupportedOperationException();
    }

    @Override
    public void putBytes(String key, byte[] data) throws IOException {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<StoredObject> list(String keyPrefix) throws IOException {
        throw new UnsupportedOperationException();
    }

    @Override
    public byte[] get(String key) throws IOException {
        throw new UnsupportedOperationException();
    }

    @Override
    public void download(String key, Path target) throws IOException {
        throw new UnsupportedOperationException();
    }

    @Override
    public String url() {
        throw new UnsupportedOperationException();
    }
}
