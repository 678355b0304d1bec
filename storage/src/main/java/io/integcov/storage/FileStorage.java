package io.integcov.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** {@code file:///dir}: objects are files below the root, written with {@link AtomicFiles} (never seen half-written). */
public final class FileStorage implements Storage {
    private final Path root;

    public FileStorage(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public void put(String key, Path file) throws IOException {
        AtomicFiles.copy(file, resolve(key));
    }

    @Override
    public void putBytes(String key, byte[] data) throws IOException {
        AtomicFiles.write(resolve(key), data);
    }

    @Override
    public List<StoredObject> list(String keyPrefix) throws IOException {
        List<StoredObject> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                String key = root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
                if (key.startsWith(keyPrefix) && !AtomicFiles.isTemporary(file.getFileName().toString())) {
                    out.add(new StoredObject(key, Files.size(file)));
                }
            }
        }
        return out;
    }

    @Override
    public byte[] get(String key) throws IOException {
        return Files.readAllBytes(resolve(key));
    }

    @Override
    public void download(String key, Path target) throws IOException {
        AtomicFiles.copy(resolve(key), target);
    }

    @Override
    public String url() {
        return "file://" + root;
    }

    private Path resolve(String key) {
        Path resolved = root.resolve(key).normalize();
        if (!resolved.startsWith(root) || resolved.equals(root)) {
            throw new IllegalArgumentException("storage key '" + key + "' escapes the storage root " + root);
        }
        return resolved;
    }
}
