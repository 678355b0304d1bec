package io.integcov.cli.collect;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the source directory of each package of a coverage profile, for {@code go tool cover -html}. That tool asks
 * {@code go list} in its working directory, so it only works inside the module the binaries were built from. Here the
 * packages are looked up, in order, in the module of {@code --source}, the module around the current directory, and
 * the Go module cache (when exactly one version of the module is there); the profile is then rewritten with the files'
 * absolute paths, which {@code go tool cover} reads as they are, wherever it runs.
 */
final class CoverSources {
    /** A Go module: its path (the {@code module} line of go.mod) and its root directory. */
    record Module(String path, Path dir) {
    }

    /** Where each package's files are, and the packages found nowhere (sorted). */
    record Resolution(Map<String, Path> dirs, List<String> missing) {
    }

    private static final Pattern MODULE_LINE = Pattern.compile("(?m)^\\s*module\\s+\"?([^\"\\s]+)\"?\\s*(//.*)?$");

    private CoverSources() {
    }

    /** The module whose go.mod is in {@code dir} or its nearest parent; empty when there is none. */
    static Optional<Module> enclosing(Path dir) {
        for (Path d = dir.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
            Path goMod = d.resolve("go.mod");
            if (Files.isRegularFile(goMod)) {
                try {
                    return modulePath(Files.readString(goMod)).map(path -> new Module(path, goMod.getParent()));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + goMod + ": " + e.getMessage(), e);
                }
            }
        }
        return Optional.empty();
    }

    /** The module path declared by a go.mod file's text. */
    static Optional<String> modulePath(String goMod) {
        Matcher m = MODULE_LINE.matcher(goMod);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The package's directory inside {@code module}, or null when the package is not in that module. */
    static Path packageDir(String pkg, Module module) {
        if (pkg.equals(module.path())) {
            return module.dir();
        }
        return pkg.startsWith(module.path() + "/") ? module.dir().resolve(pkg.substring(module.path().length() + 1))
                : null;
    }

    /**
     * The module cache's copy of the module holding {@code pkg}: {@code <modcache>/<escaped module path>@<version>}
     * for the longest module path that is a prefix of the package, when exactly one version of it is there.
     */
    static Optional<Module> inModuleCache(Path modCache, String pkg) {
        String candidate = pkg;
        while (true) {
            Path parent = modCache.resolve(escape(candidate)).getParent();
            String base = escape(candidate.substring(candidate.lastIndexOf('/') + 1));
            List<Path> versions = new ArrayList<>();
            if (Files.isDirectory(parent)) {
                try (Stream<Path> entries = Files.list(parent)) {
                    entries.filter(p -> p.getFileName().toString().startsWith(base + "@") && Files.isDirectory(p))
                            .forEach(versions::add);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list " + parent + ": " + e.getMessage(), e);
                }
            }
            if (versions.size() == 1) {
                return Optional.of(new Module(candidate, versions.get(0)));
            }
            if (versions.size() > 1) {
                return Optional.empty(); // which version the binaries were built from cannot be known here
            }
            int slash = candidate.lastIndexOf('/');
            if (slash < 0) {
                break;
            }
            candidate = candidate.substring(0, slash);
        }
        return Optional.empty();
    }

    /** Go's module path escaping for the module cache: every upper-case letter becomes '!' and its lower case. */
    static String escape(String modulePath) {
        StringBuilder out = new StringBuilder(modulePath.length());
        for (char c : modulePath.toCharArray()) {
            if (Character.isUpperCase(c)) {
                out.append('!').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Each package's directory: from the first of {@code modules} that holds it, else from the module cache. */
    static Resolution resolve(List<String> packages, List<Module> modules, Path modCache) {
        Map<String, Path> dirs = new LinkedHashMap<>();
        TreeSet<String> missing = new TreeSet<>();
        for (String pkg : packages) {
            Path dir = modules.stream().map(m -> packageDir(pkg, m)).filter(d -> d != null && Files.isDirectory(d))
                    .findFirst().orElse(null);
            if (dir == null && modCache != null) {
                dir = inModuleCache(modCache, pkg).map(m -> packageDir(pkg, m)).filter(Files::isDirectory)
                        .orElse(null);
            }
            if (dir != null) {
                dirs.put(pkg, dir);
            } else {
                missing.add(pkg);
            }
        }
        return new Resolution(dirs, List.copyOf(missing));
    }

    /** The packages of a text profile's lines ({@code mode:} line first), in order of appearance. */
    static List<String> packages(List<String> profile) {
        return profile.stream().skip(1).filter(l -> !l.isBlank()).map(CoverSources::fileName)
                .filter(f -> !f.startsWith(".") && !Path.of(f).isAbsolute())
                .map(f -> f.contains("/") ? f.substring(0, f.lastIndexOf('/')) : f).distinct().toList();
    }

    /** The profile with each file named by its absolute path in {@code dirs} (files of other packages unchanged). */
    static List<String> withAbsolutePaths(List<String> profile, Map<String, Path> dirs) {
        List<String> out = new ArrayList<>(profile.size());
        for (int i = 0; i < profile.size(); i++) {
            String line = profile.get(i);
            if (i == 0 || line.isBlank()) {
                out.add(line);
                continue;
            }
            String file = fileName(line);
            int slash = file.lastIndexOf('/');
            Path dir = slash < 0 ? null : dirs.get(file.substring(0, slash));
            out.add(dir == null ? line
                    : dir.resolve(file.substring(slash + 1)).toAbsolutePath() + line.substring(file.length()));
        }
        return out;
    }

    /** The file of a profile line {@code <file>:<line>.<col>,<line>.<col> <statements> <count>}. */
    private static String fileName(String line) {
        int colon = line.lastIndexOf(':');
        return colon < 0 ? line : line.substring(0, colon);
    }
}
