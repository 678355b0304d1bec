package io.integcov.e2e;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a kustomize base the way {@code kubectl kustomize} would for the subset deploy/ uses ({@code resources},
 * {@code namespace}, {@code labels}/{@code commonLabels}; {@code images} only matters for Deployments, which are not run
 * here), refusing any other transformer so that a richer kustomization cannot be silently mis-applied.
 */
public final class Manifests {
    private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "resources", "namespace", "labels",
            "commonLabels", "images", "metadata", "configurations");
    /** The one extra image field deploy/ configures (image-fields.yaml): image names in Deployment env values. */
    private static final String ENV_VALUE_IMAGES = "spec/template/spec/containers/env/value";

    private Manifests() {
    }

    /** Every object of the kustomization in {@code dir} (recursively through directory resources). */
    @SuppressWarnings("unchecked")
    public static List<HasMetadata> kustomize(KubernetesClient client, Path dir) throws IOException {
        Path kfile = dir.resolve("kustomization.yaml");
        if (!Files.exists(kfile)) {
            kfile = dir.resolve("kustomization.yml");
        }
        if (!Files.exists(kfile)) {
            throw new IllegalStateException("no kustomization.yaml in " + dir);
        }
        Map<String, Object> k = client.getKubernetesSerialization().unmarshal(Files.readString(kfile), Map.class);
        for (String key : k.keySet()) {
            if (!SUPPORTED.contains(key)) {
                throw new IllegalStateException(kfile + ": kustomize field '" + key + "' is not supported by the e2e"
                        + " reader (supported: " + SUPPORTED + ")");
            }
        }
        List<HasMetadata> out = new ArrayList<>();
        for (Object r : (List<Object>) k.getOrDefault("resources", List.of())) {
            Path p = dir.resolve(r.toString()).normalize();
            if (Files.isDirectory(p)) {
                out.addAll(kustomize(client, p));
            } else {
                try (InputStream in = Files.newInputStream(p)) {
                    out.addAll(client.load(in).items());
                }
            }
        }
        String ns = (String) k.get("namespace");
        Map<String, String> labels = new LinkedHashMap<>();
        if (k.get("commonLabels") instanceof Map<?, ?> m) {
            m.forEach((a, b) -> labels.put(a.toString(), b.toString()));
        }
        if (k.get("labels") instanceof List<?> l) {
            for (Object entry : l) {
                if (entry instanceof Map<?, ?> e && e.get("pairs") instanceof Map<?, ?> pairs) {
                    pairs.forEach((a, b) -> labels.put(a.toString(), b.toString()));
                }
            }
        }
        List<Map<String, Object>> images = (List<Map<String, Object>>) k.getOrDefault("images", List.of());
        boolean envValueImages = false;
        for (Object c : (List<Object>) k.getOrDefault("configurations", List.of())) {
            Map<String, Object> conf = client.getKubernetesSerialization()
                    .unmarshal(Files.readString(dir.resolve(c.toString())), Map.class);
            for (Map<String, Object> field : (List<Map<String, Object>>) conf.getOrDefault("images", List.of())) {
                if (!ENV_VALUE_IMAGES.equals(field.get("path")) || !"Deployment".equals(field.get("kind"))
                        || conf.size() != 1) {
                    throw new IllegalStateException(dir.resolve(c.toString()) + ": only the image field "
                            + ENV_VALUE_IMAGES + " of kind Deployment is supported by the e2e reader");
                }
                envValueImages = true;
            }
        }
        for (HasMetadata o : out) {
            if (o instanceof Deployment d) {
                setImages(d.getSpec().getTemplate().getSpec(), images);
                if (envValueImages) {
                    setEnvValueImages(d.getSpec().getTemplate().getSpec(), images);
                }
            }
            if (ns != null && isNamespaced(o)) {
                o.getMetadata().setNamespace(ns);
            }
            if (!labels.isEmpty()) {
                Map<String, String> merged = new LinkedHashMap<>(
                        o.getMetadata().getLabels() == null ? Map.of() : o.getMetadata().getLabels());
                merged.putAll(labels);
                o.getMetadata().setLabels(merged);
            }
            if (ns != null && o instanceof io.fabric8.kubernetes.api.model.rbac.RoleBinding rb) {
                rb.getSubjects().stream().filter(s -> "ServiceAccount".equals(s.getKind()) && s.getNamespace() == null)
                        .forEach(s -> s.setNamespace(ns));
            }
            if (ns != null && o instanceof io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding crb) {
                crb.getSubjects().stream().filter(s -> "ServiceAccount".equals(s.getKind()) && s.getNamespace() == null)
                        .forEach(s -> s.setNamespace(ns));
            }
        }
        return out;
    }

    /** The images transformer on env values (an image field configuration): values naming a listed image change. */
    static void setEnvValueImages(io.fabric8.kubernetes.api.model.PodSpec spec, List<Map<String, Object>> images) {
        for (io.fabric8.kubernetes.api.model.Container c : spec.getContainers()) {
            if (c.getEnv() == null) {
                continue;
            }
            for (io.fabric8.kubernetes.api.model.EnvVar e : c.getEnv()) {
                if (e.getValue() == null) {
                    continue;
                }
                io.fabric8.kubernetes.api.model.PodSpec probe = new io.fabric8.kubernetes.api.model.PodSpecBuilder()
                        .addNewContainer().withImage(e.getValue()).endContainer().build();
                setImages(probe, images);
                e.setValue(probe.getContainers().get(0).getImage());
            }
        }
    }

    /** kustomize's {@code images} transformer: match by image name (without tag/digest), set newName/newTag/digest. */
    static void setImages(io.fabric8.kubernetes.api.model.PodSpec spec, List<Map<String, Object>> images) {
        List<io.fabric8.kubernetes.api.model.Container> all = new ArrayList<>(spec.getContainers());
        if (spec.getInitContainers() != null) {
            all.addAll(spec.getInitContainers());
        }
        for (io.fabric8.kubernetes.api.model.Container c : all) {
            String image = c.getImage();
            String name = image.contains("@") ? image.substring(0, image.indexOf('@'))
                    : image.lastIndexOf(':') > image.lastIndexOf('/') ? image.substring(0, image.lastIndexOf(':')) : image;
            for (Map<String, Object> rule : images) {
                if (!name.equals(rule.get("name"))) {
                    continue;
                }
                String newName = rule.get("newName") != null ? rule.get("newName").toString() : name;
                if (rule.get("digest") != null) {
                    c.setImage(newName + "@" + rule.get("digest"));
                } else if (rule.get("newTag") != null) {
                    c.setImage(newName + ":" + rule.get("newTag"));
                } else {
                    c.setImage(newName + image.substring(name.length()));
                }
            }
        }
    }

    static boolean isNamespaced(HasMetadata o) {
        return switch (o.getKind()) {
            case "Namespace", "ClusterRole", "ClusterRoleBinding", "MutatingWebhookConfiguration",
                    "ValidatingWebhookConfiguration", "CustomResourceDefinition", "PriorityClass" -> false;
            default -> true;
        };
    }

    /** What applying deploy/ did. */
    public record Applied(List<HasMetadata> applied, List<HasMetadata> dryRun) {
        public <T extends HasMetadata> List<T> ofKind(Class<T> type) {
            List<T> all = new ArrayList<>();
            for (HasMetadata o : applied) {
                if (type.isInstance(o)) {
                    all.add(type.cast(o));
                }
            }
            for (HasMetadata o : dryRun) {
                if (type.isInstance(o)) {
                    all.add(type.cast(o));
                }
            }
            return all;
        }
    }

    /**
     * Applies {@code objects} with server-side apply: Deployments only as a server-side dry run (there is no kubelet),
     * every MutatingWebhookConfiguration for real but with its webhooks' clientConfig pointing at {@code webhookUrl}
     * instead of the in-cluster Service; everything else for real. Namespaces first.
     */
    public static Applied apply(KubernetesClient client, List<HasMetadata> objects, String webhookUrl) {
        List<HasMetadata> ordered = new ArrayList<>();
        objects.stream().filter(o -> o instanceof Namespace).forEach(ordered::add);
        objects.stream().filter(o -> !(o instanceof Namespace)).forEach(ordered::add);
        List<HasMetadata> applied = new ArrayList<>();
        List<HasMetadata> dryRun = new ArrayList<>();
        for (HasMetadata o : ordered) {
            if (o instanceof MutatingWebhookConfiguration mwc) {
                for (MutatingWebhook w : mwc.getWebhooks()) {
                    WebhookClientConfig cc = w.getClientConfig();
                    String path = cc.getService() != null && cc.getService().getPath() != null
                            ? cc.getService().getPath() : "/mutate";
                    cc.setService(null);
                    cc.setUrl(webhookUrl.replaceAll("/+$", "") + path);
                }
            }
            if (o instanceof Deployment) {
                dryRun.add(client.resource(o).dryRun().fieldManager("integcov-e2e").forceConflicts().serverSideApply());
            } else {
                applied.add(client.resource(o).fieldManager("integcov-e2e").forceConflicts().serverSideApply());
            }
        }
        return new Applied(applied, dryRun);
    }
}
