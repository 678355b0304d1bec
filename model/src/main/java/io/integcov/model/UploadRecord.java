package io.integcov.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * One committed upload, as read from its integcov-manifest.json. Value equality, so that the operator can tell
 * whether a storage poll found anything new.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class UploadRecord {
    private String pod;
    private String container;
    private String runId;
    /** How the agent ran: {@code wrap}, {@code sidecar} or {@code flush}; absent for uploads from before it was recorded. */
    private String mode;
    private Integer exitCode;
    private Integer files;
    private Long bytes;
    private String finishedAt;

    public String getPod() {
        return pod;
    }

    public void setPod(String pod) {
        this.pod = pod;
    }

    public String getContainer() {
        return container;
    }

    public void setContainer(String container) {
        this.container = container;
    }

    public String getRunId() {
        return runId;
    }

    public void setRunId(String runId) {
        this.runId = runId;
    }

    public String getMode() {
        return mode;
    }

    public void setMode(String mode) {
        this.mode = mode;
    }

    public Integer getExitCode() {
        return exitCode;
    }

    public void setExitCode(Integer exitCode) {
        this.exitCode = exitCode;
    }

    public Integer getFiles() {
        return files;
    }

    public void setFiles(Integer files) {
        this.files = files;
    }

    public Long getBytes() {
        return bytes;
    }

    public void setBytes(Long bytes) {
        this.bytes = bytes;
    }

    public String getFinishedAt() {
        return finishedAt;
    }

    public void setFinishedAt(String finishedAt) {
        this.finishedAt = finishedAt;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof UploadRecord that && Objects.equals(pod, that.pod)
                && Objects.equals(container, that.container) && Objects.equals(runId, that.runId)
                && Objects.equals(mode, that.mode) && Objects.equals(exitCode, that.exitCode)
                && Objects.equals(files, that.files) && Objects.equals(bytes, that.bytes)
                && Objects.equals(finishedAt, that.finishedAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pod, container, runId, mode, exitCode, files, bytes, finishedAt);
    }
}
