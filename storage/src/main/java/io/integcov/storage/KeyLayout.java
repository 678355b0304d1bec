package io.integcov.storage;


/**
 * Where uploads live below a storage URL: {@code <namespace>/<capture>/<capture-uid>/<pod>/<container>/<run-id>/<file>}.
 * The capture's uid is part of the key so that a CoverageCapture deleted and created again (as a CI run does) starts
 * from an empty prefix and never sees the uploads of an earlier run; the agent writes {@code _} for a segment it does
 * not know.
 */
public final class KeyLayout {
    /** The segment the agent writes when it was not told the capture name or uid. */
    public static final String UNKNOWN = "_";

    private KeyLayout() {
    }

    /** {@code <namespace>/<capture>/<uid>/}: the prefix holding exactly one capture's uploads. */
    public static String capturePrefix(String namespace, String capture, String captureUid) {
        for (String segment : new String[] {namespace, capture, captureUid}) {
            if (segment == null || segment.isEmpty() || segment.contains("/")) {
                throw new IllegalArgumentException("not a valid key segment: '" + segment + "' (namespace '"
                        + namespace + "', capture '" + capture + "', uid '" + captureUid + "')");
            }
        }
        return namespace + "/" + capture + "/" + captureUid + "/";
    }

    /**
     * The directory that identifies a run's capture: the run directory less its last three segments
     * ({@code <pod>/<container>/<run-id>}). Below a bucket root that is {@code <namespace>/<capture>/<uid>}; below a
     * capture's own prefix it is empty.
     */
    public static String captureDirOf(String runDir) {
        String dir = runDir;
        for (int i = 0; i < 3; i++) {
            int slash = dir.lastIndexOf('/');
            if (slash < 0) {
                return "";
            }
            dir = dir.substring(0, slash);
        }
        return dir;
    }

    /** {@code <pod>/<container>} of a run directory ({@code .../<pod>/<container>/<run-id>}), or null when too short. */
    public static String podContainerOf(String runDir) {
        String[] segments = runDir.split("/");
        int n = segments.length;
        return n < 3 ? null : segments[n - 3] + "/" + segments[n - 2];
    }
}
