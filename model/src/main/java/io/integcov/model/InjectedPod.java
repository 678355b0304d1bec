package io.integcov.model;

import java.util.ArrayList;
import java.util.List;

/**
 * A pod the webhook injected for a capture and how its coverage is taken: which containers are wrapped by the agent
 * and which are served by the native sidecar. Shown in the status because the mode decides how coverage arrives
 * (wrap: at each exit; sidecar: as Go writes each file) and where {@code integcov-agent flush} runs.
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
