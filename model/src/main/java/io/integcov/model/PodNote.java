package io.integcov.model;

public class PodNote {
    private String pod;
    private String reason;

    public PodNote() {
    }

    public PodNote(String pod, String reason) {
        this.pod = pod;
        this.reason = reason;
    }

    public String getPod() {
        return pod;
    }

    public void setPod(String pod) {
        this.pod = pod;
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }
}
