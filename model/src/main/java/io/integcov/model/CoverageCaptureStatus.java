package io.integcov.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * What the operator observed for a CoverageCapture: spec validity and readiness (conditions), the matching pods and
 * whether the webhook injected them, and the uploads committed under the capture's own storage prefix.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CoverageCaptureStatus {
    private Long observedGeneration;
    private List<Condition> conditions = new ArrayList<>();
    private Integer matchedPods;
    private Integer injectedPods;
    private Integer notInjectedPods;
    /** Matching pods the webhook did not mutate, each with the reason and what to do. */
    private List<PodNote> notInjected = new ArrayList<>();
    /** Injected matching pods and the mode of each (wrap, sidecar or both), sorted by pod name. */
    private List<InjectedPod> injected = new ArrayList<>();
    /** How many committed uploads this capture has in storage (the list below holds only the newest ones). */
    private Integer uploadCount;
    /** Committed uploads (a manifest exists), newest last. */
    private List<UploadRecord> uploads = new ArrayList<>();
    /** Injected pods that have ended, until a storage read begun after their end tells whether they committed uploads. */
    private List<EndedPod> awaitingUpload = new ArrayList<>();
    /** Injected pods that ended with no committed upload (no manifest under their name), each with what to check. */
    private List<PodNote> noUpload = new ArrayList<>();

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    public Integer getMatchedPods() {
        return matchedPods;
    }

    public void setMatchedPods(Integer matchedPods) {
        this.matchedPods = matchedPods;
    }

    public Integer getInjectedPods() {
        return injectedPods;
    }

    public void setInjectedPods(Integer injectedPods) {
        this.injectedPods = injectedPods;
    }

    public Integer getNotInjectedPods() {
        return notInjectedPods;
    }

    public void setNotInjectedPods(Integer notInjectedPods) {
        this.notInjectedPods = notInjectedPods;
    }

    public List<InjectedPod> getInjected() {
        return injected;
    }

    public void setInjected(List<InjectedPod> injected) {
        this.injected = injected;
    }

    public List<PodNote> getNotInjected() {
        return notInjected;
    }

    public void setNotInjected(List<PodNote> notInjected) {
        this.notInjected = notInjected;
    }

    public Integer getUploadCount() {
        return uploadCount;
    }

    public void setUploadCount(Integer uploadCount) {
        this.uploadCount = uploadCount;
    }

    public List<UploadRecord> getUploads() {
        return uploads;
    }

    public void setUploads(List<UploadRecord> uploads) {
        this.uploads = uploads;
    }

    public List<EndedPod> getAwaitingUpload() {
        return awaitingUpload;
    }

    public void setAwaitingUpload(List<EndedPod> awaitingUpload) {
        this.awaitingUpload = awaitingUpload;
    }

    public List<PodNote> getNoUpload() {
        return noUpload;
    }

    public void setNoUpload(List<PodNote> noUpload) {
        this.noUpload = noUpload;
    }
}
