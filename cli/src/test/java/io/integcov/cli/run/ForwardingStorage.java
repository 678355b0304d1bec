package io.integcov.cli.run;

import io.integcov.storage.FileStorage;
import io.integcov.storage.Storage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A real {@link FileStorage} behind the {@link Storage} interface; tests override what they want to observe or break. */
abstract class ForwardingStorage implements Storage {
    final FileStorage delegate;

    ForwardingStorage(Path root) {
        this.delegate = new FileStorage(root);
    }

    @Override
    public void put(String key, Path file) throws IOException {
        delegate.put(key, file);
    }

    @Override
    public void putBytes(String key, byte[] data) throws IOException {
        delegate.putBytes(key, data);
    }

    @Override
    public List<StoredObject> list(String keyPrefix) throws IOException {
        return delegate.list(keyPrefix);
    }

    @Override
    public byte[] get(String key) throws IOException {
        return delegate.get(key);
    }

    @Override
    public void download(String key, Path target) throws IOException {
        delegate.download(key, target);
    }

    @Override
    public String url() {
        return delegate.url();
    }
}
