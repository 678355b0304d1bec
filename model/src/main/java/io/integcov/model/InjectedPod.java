package io.integcov.model;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A pod the webhook injected for a capture and how its coverage is taken: which containers are wrapped by the agent
 * and which are served by the native sidecar. Shown in the status because the mode decides how coverage arrives
 * (wrap: at each exit; sidecar: as Go writes each file) and where {@code integcov-agent flush} runs.
 *
 * <p>The one answer to "how was this pod injected": the webhook writes it as annotations ({@link #annotations}) and
 * the operator and {@code collect} read it back ({@link #readFor}), never from the pod's commands or env, which the
 * user may set to anything (a container of their own can carry {@code INTEGCOV_CONTAINER}).
 */
public class InjectedPod {
    public static final String WRAP = "wrap";
    public static final String SIDECAR = "sidecar";
    /** Both modes in one pod (some containers have a known command, others not). */
    public static final String WRAP_AND_SIDECAR = "wrap+sidecar";

    private String pod;
    private String mode;
    private List<String> wrapped = new ArrayList<>();
    private List<String> sidecar = new ArrayList<>();

    public InjectedPod() {
    }

    public InjectedPod(String pod, List<String> wrapped, List<String> sidecar) {
        this.pod = pod;
        this.wrapped = new ArrayList<>(wrapped);
        this.sidecar = new ArrayList<>(sidecar);
        this.mode = wrapped.isEmpty() ? (sidecar.isEmpty() ? null : SIDECAR)
                : sidecar.isEmpty() ? WRAP : WRAP_AND_SIDECAR;
    }

    /**
     * The annotations the webhook adds to a pod it injected for {@code capture}: the marker and both container lists
     * (each written, empty when none, so that a value the user put there is never taken for the webhook's).
     */
    public static Map<String, String> annotations(String capture, List<String> wrapped, List<String> sidecar) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(Labels.INJECTED_ANNOTATION, capture);
        annotations.put(Labels.WRAPPED_ANNOTATION, String.join(",", wrapped));
        annotations.put(Labels.SIDECAR_ANNOTATION, String.join(",", sidecar));
        return annotations;
    }

    /** How the webhook injected {@code pod} for {@code capture}, or empty when it did not inject it for that one. */
    public static Optional<InjectedPod> readFor(Pod pod, String capture) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations() == null ? Map.of()
                : pod.getMetadata().getAnnotations();
        if (!capture.equals(annotations.get(Labels.INJECTED_ANNOTATION))) {
            return Optional.empty();
        }
        return Optional.of(new InjectedPod(pod.getMetadata().getName(),
                names(annotations.get(Labels.WRAPPED_ANNOTATION)), names(annotations.get(Labels.SIDECAR_ANNOTATION))));
    }

    private static List<String> names(String value) {
        return value == null ? List.of()
                : Arrays.stream(value.split(",")).map(String::strip).filter(name -> !name.isEmpty()).toList();
    }

    public String getPod() {
        return pod;
    }

    public void setPod(String pod) {
        this.pod = pod;
    }

    /** {@value #WRAP}, {@value #SIDECAR} or {@value #WRAP_AND_SIDECAR}. */
    public String getMode() {
        return mode;
    }

    public void setMode(String mode) {
        this.mode = mode;
    }

    /** Containers whose command the agent wraps. */
    public List<String> getWrapped() {
        return wrapped;
    }

    public void setWrapped(List<String> wrapped) {
        this.wrapped = wrapped;
    }

    /** Containers served by the native sidecar. */
    public List<String> getSidecar() {
        return sidecar;
    }

    public void setSidecar(List<String> sidecar) {
        this.sidecar = sidecar;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof InjectedPod that && java.util.Objects.equals(pod, that.pod)
                && java.util.Objects.equals(mode, that.mode) && java.util.Objects.equals(wrapped, that.wrapped)
                && java.util.Objects.equals(sidecar, that.sidecar);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(pod, mode, wrapped, sidecar);
    }

    @Override
    public String toString() {
        return pod + "(" + mode + ": wrapped " + wrapped + ", sidecar " + sidecar + ")";
    }
}
