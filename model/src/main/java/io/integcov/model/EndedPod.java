package io.integcov.model;

import java.util.Objects;

/**
 * An injected pod that has ended (deleted, or phase Succeeded or Failed with every container stopped) and whose
 * committed uploads the operator is still looking for: it is judged on the first storage read that began after
 * {@code endedAt}, the time the operator noticed the end (never earlier than the end itself, so a manifest the agent
 * committed before its container stopped is always in that read).
 */
public class EndedPod {
    private String pod;
    private String endedAt;
    private String how;

    public EndedPod() {
    }

    public EndedPod(String pod, String endedAt, String how) {
        this.pod = pod;
        this.endedAt = endedAt;
        this.how = how;
    }

    public String getPod() {
        return pod;
    }

    public void setPod(String pod) {
        this.pod = pod;
    }

    /** RFC 3339: when the operator noticed that the pod had ended. */
    public String getEndedAt() {
        return endedAt;
    }

    public void setEndedAt(String endedAt) {
        this.endedAt = endedAt;
    }

    /** "deleted", or the terminal phase ("Succeeded", "Failed"). */
    public String getHow() {
        return how;
    }

    public void setHow(String how) {
        this.how = how;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EndedPod e && Objects.equals(pod, e.pod) && Objects.equals(endedAt, e.endedAt)
                && Objects.equals(how, e.how);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pod, endedAt, how);
    }

    @Override
    public String toString() {
        return pod + " (" + how + " at " + endedAt + ")";
    }
}
