package io.integcov.model;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Asks integcov to wrap the containers of matching pods (in the CR's namespace) with the integcov agent and to
 * upload their Go coverage files to {@code spec.storage.url}, or without it to the in-cluster default store
 * ({@link DefaultStore}).
 */
@Group(CoverageCapture.GROUP)
@Version(CoverageCapture.VERSION)
@Kind("CoverageCapture")
@Singular("coveragecapture")
@Plural("coveragecaptures")
@ShortNames("covcap")
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Matched", jsonPath = ".status.matchedPods", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Injected", jsonPath = ".status.injectedPods", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Uploads", jsonPath = ".status.uploadCount", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Storage", jsonPath = ".spec.storage.url", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class CoverageCapture extends CustomResource<CoverageCaptureSpec, CoverageCaptureStatus> implements Namespaced {
    public static final String GROUP = "integcov.io";
    public static final String VERSION = "v1alpha1";
    public static final String CRD_NAME = "coveragecaptures." + GROUP;

    public CoverageCapture() {
    }

    public CoverageCapture(String namespace, String name, CoverageCaptureSpec spec) {
        getMetadata().setNamespace(namespace);
        getMetadata().setName(name);
        setSpec(spec);
    }
}
