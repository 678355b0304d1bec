package io.integcov.storage;

import io.integcov.storage.Storage.StoredObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Groups a storage listing into upload runs: one per directory holding coverage files or a manifest
 * ({@code .../<pod>/<container>/<run-id>/}, see {@link KeyLayout}). Shared by {@code integcov collect} and the
 * operator so that both read the layout the same way.
 */
public final class UploadedRuns {

    /** One run directory: its coverage files and, when the upload was committed, its manifest. */
    public record Run(String dir, List<StoredObject> coverageFiles, StoredObject manifest) {
        public boolean committed() {
            return manifest != null;
        }

        /** See {@link KeyLayout#captureDirOf(String)}. */
        public String captureDir() {
            return KeyLayout.captureDirOf(dir);
        }
    }

    private UploadedRuns() {
    }

    /** Objects that are not Go coverage files ({@code covmeta.*}, {@code covcounters.*}) nor manifests are ignored. */
    public static List<Run> group(List<StoredObject> objects) {
        Map<String, List<StoredObject>> filesByDir = new TreeMap<>();
        Map<String, StoredObject> manifestByDir = new TreeMap<>();
        for (StoredObject object : objects) {
            String dir = object.key().contains("/") ? object.key().substring(0, object.key().lastIndexOf('/')) : "";
            if (object.name().equals(Manifest.FILE_NAME)) {
                manifestByDir.put(dir, object);
                filesByDir.computeIfAbsent(dir, d -> new ArrayList<>());
            } else if (isCoverageFile(object.name())) {
                filesByDir.computeIfAbsent(dir, d -> new ArrayList<>()).add(object);
            }
        }
        List<Run> runs = new ArrayList<>();
        filesByDir.forEach((dir, files) -> runs.add(new Run(dir, List.copyOf(files), manifestByDir.get(dir))));
        return runs;
    }

    /** How many distinct captures (see {@link Run#captureDir()}) the runs come from. */
    public static long captureCount(List<Run> runs) {
        return runs.stream().map(Run::captureDir).distinct().count();
    }

    public static boolean isCoverageFile(String name) {
        return name.startsWith("covmeta.") || name.startsWith("covcounters.");
    }

    /** Something wrong with an upload: a file that is not there ({@code MISSING}) or not what was uploaded. */
    public record Problem(Kind kind, String runDir, String file, String message) {
        public enum Kind { MISSING, CORRUPT }

        @Override
        public String toString() {
            return message;
        }
    }

    /**
     * What is wrong with a committed run, judged from the listing alone (sizes; checksums are checked on download):
     * files the manifest names that are missing or have another size, and files it reports as failed.
     */
    public static List<Problem> problems(Run run, Manifest manifest) {
        List<Problem> problems = new ArrayList<>();
        Map<String, Long> listedSizes = new TreeMap<>();
        run.coverageFiles().forEach(file -> listedSizes.put(file.name(), file.size()));
        for (Manifest.FileEntry entry : manifest.files() == null ? List.<Manifest.FileEntry>of() : manifest.files()) {
            Long size = listedSizes.get(entry.name());
            if (size == null) {
                problems.add(new Problem(Problem.Kind.MISSING, run.dir(), entry.name(), run.dir() + ": " + entry.name()
                        + " is in the manifest but missing from storage"));
            } else if (size != entry.size()) {
                problems.add(new Problem(Problem.Kind.CORRUPT, run.dir(), entry.name(), run.dir() + ": " + entry.name()
                        + " has " + size + " bytes, the manifest says " + entry.size()));
            }
        }
        if (manifest.failed() != null) {
            manifest.failed().forEach(name -> problems.add(new Problem(Problem.Kind.MISSING, run.dir(), name,
                    run.dir() + ": the agent could not upload " + name + " before its deadline")));
        }
        return problems;
    }
}
