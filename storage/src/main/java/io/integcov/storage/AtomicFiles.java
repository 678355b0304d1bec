package io.integcov.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;

/**
 * Files that readers see whole or not at all: the content goes to a temp file next to the target (same file system,
 * so the rename is atomic), is flushed to disk, and is renamed over the target; the directory is flushed too where the
 * platform allows it. A failure leaves the target as it was and no temp file behind. Temp files start with
 * {@value #TEMP_PREFIX} and end with {@value #TEMP_SUFFIX}; {@link #isTemporary} tells them, and the agent's (Go
 * {@code atomicfile}: {@code .<name>.<random>.tmp}), from finished files, so listings skip writes in progress.
 */
public final class AtomicFiles {
    public static final String TEMP_PREFIX = ".integcov-tmp-";
    public static final String TEMP_SUFFIX = ".tmp";

    /**
     * Writes the content into the temp file that {@link #replace} created (write into it, do not replace it: a new
     * file would lose the attributes it was created with).
     */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path temp) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Whether {@code fileName} is a write in progress of this class or of the agent: hidden and ending with
     * {@value #TEMP_SUFFIX}. No key integcov writes has a hidden last segment, so no finished object is taken for one.
     */
    public static boolean isTemporary(String fileName) {
        return fileName.startsWith(".") && fileName.endsWith(TEMP_SUFFIX);
    }

    /**
     * Creates {@code target}'s directory if needed, lets {@code content} fill a temp file beside it (created with
     * {@code attributes}, e.g. owner-only permissions) and renames that over {@code target}.
     */
    public static void replace(Path target, Content content, FileAttribute<?>... attributes) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, TEMP_PREFIX, TEMP_SUFFIX, attributes);
        try {
            content.writeTo(temp);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(dir);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    public static void write(Path target, byte[] data, FileAttribute<?>... attributes) throws IOException {
        replace(target, temp -> Files.write(temp, data), attributes);
    }

    public static void writeString(Path target, String text, FileAttribute<?>... attributes) throws IOException {
        write(target, text.getBytes(StandardCharsets.UTF_8), attributes);
    }

    /** A copy of {@code source}'s content at {@code target}. */
    public static void copy(Path source, Path target, FileAttribute<?>... attributes) throws IOException {
        replace(target, temp -> {
            try (InputStream in = Files.newInputStream(source);
                 OutputStream out = Files.newOutputStream(temp, StandardOpenOption.TRUNCATE_EXISTING)) {
                in.transferTo(out);
            }
        }, attributes);
    }

    /** Makes the rename durable: fsync of the directory (Linux and macOS allow it; elsewhere it is skipped). */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // a platform that cannot open directories (Windows): the rename is still atomic, only its durability is
            // the file system's
        }
    }
}
