package io.integcov.cli.collect;

import java.util.Set;

/**
 * Names for the flat output directory that {@code go tool covdata -i} reads. {@code covmeta.<hash>} files with the
 * same name hold the same content (the hash is of the content), so one copy is enough. Counter files are named
 * {@code covcounters.<hash>.<pid>.<nanotime>}; two pods can in principle produce the same name, so a clash gets a
 * different pid field, which keeps the name valid for covdata.
 */
public final class FlatNames {
    private FlatNames() {
    }

    /** The name to store {@code name} under, given the names already taken by files with other content. */
    public static String unclashed(String name, Set<String> taken) {
        if (!taken.contains(name)) {
            return name;
        }
        String[] parts = name.split("\\.");
        if (parts.length != 4 || !parts[0].equals("covcounters")) {
            throw new IllegalArgumentException("two different files are both named " + name);
        }
        for (long pid = 1_000_000; ; pid++) {
            String candidate = parts[0] + "." + parts[1] + "." + pid + "." + parts[3];
            if (!taken.contains(candidate)) {
                return candidate;
            }
        }
    }
}
