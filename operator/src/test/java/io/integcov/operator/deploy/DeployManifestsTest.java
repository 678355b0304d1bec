package io.integcov.operator.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.integcov.model.CoverageCapture;
import io.integcov.model.DefaultStore;
import io.integcov.model.Labels;
import io.integcov.operator.OperatorConfig;
import io.integcov.operator.tls.WebhookTlsConfig;
import io.integcov.testing.RepoRoot;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Renders deploy/ (what `kubectl apply -k deploy/` applies: the base) with kustomize and checks what the cluster would get. */
class DeployManifestsTest {
    private static final String NAMESPACE = "integcov-system";
    private static final String CRD_FILE = "coveragecaptures.integcov.io-v1.yml";

    private static Path root;
    private static List<HasMetadata> objects;

    @BeforeAll
    static void render() throws Exception {
        root = RepoRoot.find();
        String yaml = Kustomize.build(root.resolve("deploy"));
        KubernetesSerialization serialization = new KubernetesSerialization();
        objects = new ArrayList<>();
        for (String document : yaml.split("(?m)^---\\s*$")) {
            if (!document.isBlank()) {
                objects.add(serialization.unmarshal(document, HasMetadata.class));
            }
        }
    }

    @Test
    void namespacedObjectsLiveInIntegcovSystem() {
        assertEquals(NAMESPACE, one(Namespace.class, NAMESPACE).getMetadata().getName());
        assertEquals("restricted", one(Namespace.class, NAMESPACE).getMetadata().getLabels()
                .get("pod-security.kubernetes.io/enforce"));
        for (HasMetadata object : objects) {
            boolean clusterScoped = object instanceof Namespace || object instanceof ClusterRole
                    || object instanceof ClusterRoleBinding || object instanceof MutatingWebhookConfiguration
                    || object instanceof CustomResourceDefinition;
            assertEquals(clusterScoped ? null : NAMESPACE, object.getMetadata().getNamespace(),
                    object.getKind() + " " + object.getMetadata().getName());
            assertEquals("integcov", object.getMetadata().getLabels().get("app.kubernetes.io/part-of"),
                    object.getKind() + " " + object.getMetadata().getName());
        }
    }

    @Test
    void crdIsTheOneFromCrds() throws Exception {
        CustomResourceDefinition crd = one(CustomResourceDefinition.class, CoverageCapture.CRD_NAME);
        assertEquals(CoverageCapture.GROUP, crd.getSpec().getGroup());
        assertEquals(Files.readString(root.resolve("crds").resolve(CRD_FILE)),
                Files.readString(root.resolve("deploy/base/crd").resolve(CRD_FILE)),
                "deploy/base/crd/" + CRD_FILE + " must be a copy of crds/" + CRD_FILE + ": copy it again");
    }

    @Test
    void noRbacRuleUsesWildcards() {
        List<PolicyRule> rules = new ArrayList<>();
        ofKind(ClusterRole.class).forEach(role -> rules.addAll(role.getRules()));
        ofKind(Role.class).forEach(role -> rules.addAll(role.getRules()));
        assertFalse(rules.isEmpty());
        for (PolicyRule rule : rules) {
            Stream.of(rule.getVerbs(), rule.getResources(), rule.getApiGroups(), rule.getResourceNames())
                    .forEach(values -> assertFalse(values != null && values.contains("*"), "wildcard in " + rule));
            assertTrue(rule.getNonResourceURLs() == null || rule.getNonResourceURLs().isEmpty(), rule.toString());
        }
    }

    @Test
    void operatorHasWhatItUsesAndNoMore() throws Exception {
        ClusterRole cluster = one(ClusterRole.class, "integcov-operator");
        assertRule(cluster, "integcov.io", "coveragecaptures", null, Set.of("get", "list", "watch"));
        assertRule(cluster, "integcov.io", "coveragecaptures/status", null, Set.of("get", "update", "patch"));
        assertRule(cluster, "", "pods", null, Set.of("get", "list", "watch"));
        String webhookConfiguration = defaultOf(WebhookTlsConfig.class, "configurationName");
        assertRule(cluster, "admissionregistration.k8s.io", "mutatingwebhookconfigurations", webhookConfiguration,
                Set.of("get", "patch"));
        assertRule(cluster, "", "events", null, Set.of("create", "get", "patch")); // a repeat raises the count
        assertEquals(5, cluster.getRules().size(), "unexpected extra cluster-wide rules: " + cluster.getRules());
        assertTrue(cluster.getRules().stream().noneMatch(rule -> rule.getResources().contains("secrets")),
                "secrets are only granted in " + NAMESPACE);

        Role role = one(Role.class, "integcov-operator");
        String secret = defaultOf(WebhookTlsConfig.Tls.class, "secretName");
        String lease = defaultOf(OperatorConfig.class, "leaseName");
        assertRule(role, "", "secrets", null, Set.of("create"));
        assertRule(role, "", "secrets", secret, Set.of("get", "update", "patch"));
        assertRule(role, "coordination.k8s.io", "leases", null, Set.of("create"));
        assertRule(role, "coordination.k8s.io", "leases", lease, Set.of("get", "update", "patch"));
        assertEquals(4, role.getRules().size(), role.getRules().toString());
        assertEquals(NAMESPACE, defaultOf(OperatorConfig.class, "namespace"));

        assertBound(one(ClusterRoleBinding.class, "integcov-operator").getSubjects(),
                one(ClusterRoleBinding.class, "integcov-operator").getRoleRef().getName(), "integcov-operator");
        assertBound(one(RoleBinding.class, "integcov-operator").getSubjects(),
                one(RoleBinding.class, "integcov-operator").getRoleRef().getName(), "integcov-operator");
    }

    @Test
    void webhookOnlyReadsCoverageCapturesAndPostsEvents() {
        ClusterRole cluster = one(ClusterRole.class, "integcov-webhook");
        assertEquals(2, cluster.getRules().size());
        assertRule(cluster, "integcov.io", "coveragecaptures", null, Set.of("get", "list", "watch"));
        assertRule(cluster, "", "events", null, Set.of("create", "get", "patch")); // a repeat raises the count
        ClusterRoleBinding binding = one(ClusterRoleBinding.class, "integcov-webhook");
        assertBound(binding.getSubjects(), binding.getRoleRef().getName(), "integcov-webhook");
        assertTrue(ofKind(RoleBinding.class).stream().flatMap(b -> b.getSubjects().stream())
                .noneMatch(s -> s.getName().equals("integcov-webhook")), "the webhook needs no namespaced role");
    }

    @Test
    void mutatingWebhookConfigurationNeverBlocksPodsAndReachesTheWebhookService() throws Exception {
        MutatingWebhookConfiguration configuration = one(MutatingWebhookConfiguration.class,
                defaultOf(WebhookTlsConfig.class, "configurationName"));
        assertEquals(1, configuration.getWebhooks().size());
        MutatingWebhook webhook = configuration.getWebhooks().get(0);
        assertEquals("Ignore", webhook.getFailurePolicy());
        assertTrue(webhook.getTimeoutSeconds() <= 10, "a slow webhook delays every pod: " + webhook.getTimeoutSeconds());
        assertEquals("NoneOnDryRun", webhook.getSideEffects(), "the webhook creates Events, but none for a dry run");
        assertNull(webhook.getClientConfig().getCaBundle(), "the operator sets the caBundle");
        assertNull(webhook.getClientConfig().getUrl());

        String service = defaultOf(WebhookTlsConfig.class, "serviceName");
        assertEquals(service, webhook.getClientConfig().getService().getName());
        assertEquals(NAMESPACE, webhook.getClientConfig().getService().getNamespace());
        assertEquals("/mutate", webhook.getClientConfig().getService().getPath());
        assertEquals(443, webhook.getClientConfig().getService().getPort());

        assertEquals(Map.of(Labels.INJECT_LABEL, Labels.INJECT_ENABLED), webhook.getNamespaceSelector().getMatchLabels());
        assertNull(webhook.getNamespaceSelector().getMatchExpressions() == null
                || webhook.getNamespaceSelector().getMatchExpressions().isEmpty() ? null : "extra namespace expressions");
        List<LabelSelectorRequirement> objectExpressions = webhook.getObjectSelector().getMatchExpressions();
        assertEquals(1, objectExpressions.size());
        assertEquals(Labels.INJECT_LABEL, objectExpressions.get(0).getKey());
        assertEquals("NotIn", objectExpressions.get(0).getOperator());
        assertEquals(List.of(Labels.INJECT_DISABLED), objectExpressions.get(0).getValues());
    }

    /**
     * Two webhook replicas, spread over nodes where there are several yet both schedulable on one node, and a
     * PodDisruptionBudget that keeps one of them through a drain; one operator replica (leader election covers the
     * moment a rolling update runs two).
     */
    @Test
    void webhookKeepsAReplicaThroughADisruptionAndTheOperatorRunsOnce() {
        Deployment webhook = one(Deployment.class, "integcov-webhook");
        Map<String, String> podLabels = webhook.getSpec().getTemplate().getMetadata().getLabels();
        assertEquals(2, webhook.getSpec().getReplicas());
        PodDisruptionBudget budget = one(PodDisruptionBudget.class, "integcov-webhook");
        assertEquals(1, budget.getSpec().getMinAvailable().getIntVal());
        assertNull(budget.getSpec().getMaxUnavailable());
        assertFalse(budget.getSpec().getSelector().getMatchLabels().isEmpty());
        budget.getSpec().getSelector().getMatchLabels().forEach((key, value) -> assertEquals(value, podLabels.get(key),
                key));

        List<TopologySpreadConstraint> spread = webhook.getSpec().getTemplate().getSpec().getTopologySpreadConstraints();
        assertEquals(1, spread.size());
        assertEquals("kubernetes.io/hostname", spread.get(0).getTopologyKey());
        assertEquals("ScheduleAnyway", spread.get(0).getWhenUnsatisfiable(), "both replicas schedule on one node");
        assertEquals(1, spread.get(0).getMaxSkew());
        spread.get(0).getLabelSelector().getMatchLabels().forEach((key, value) -> assertEquals(value,
                podLabels.get(key), key));

        assertEquals(1, one(Deployment.class, "integcov-operator").getSpec().getReplicas());
    }

    /** Explicit requests (and a memory limit) on every container, so a namespace ResourceQuota admits the pods. */
    @Test
    void everyContainerHasExplicitSmallResources() {
        for (Deployment deployment : ofKind(Deployment.class)) {
            for (Container container : deployment.getSpec().getTemplate().getSpec().getContainers()) {
                String at = deployment.getMetadata().getName() + "/" + container.getName();
                var resources = container.getResources();
                assertNotNull(resources.getRequests().get("cpu"), at);
                assertNotNull(resources.getRequests().get("memory"), at);
                Quantity memoryLimit = resources.getLimits().get("memory");
                assertNotNull(memoryLimit, at);
                assertTrue(Quantity.getAmountInBytes(memoryLimit).longValue() <= 512L * 1024 * 1024, at + " " + memoryLimit);
            }
        }
    }

    @Test
    void serviceReachesTheWebhookPodsOnTheirHttpsPort() throws Exception {
        Service service = one(Service.class, defaultOf(WebhookTlsConfig.class, "serviceName"));
        Deployment webhook = one(Deployment.class, "integcov-webhook");
        Map<String, String> podLabels = webhook.getSpec().getTemplate().getMetadata().getLabels();
        service.getSpec().getSelector().forEach((key, value) -> assertEquals(value, podLabels.get(key), key));
        assertEquals(1, service.getSpec().getPorts().size());
        assertEquals(443, service.getSpec().getPorts().get(0).getPort());
        String target = service.getSpec().getPorts().get(0).getTargetPort().getStrVal();
        ContainerPort port = webhook.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().stream()
                .filter(p -> p.getName().equals(target)).findFirst().orElseThrow();
        assertEquals(8443, port.getContainerPort());
    }

    /** Plain HTTP is disabled in the webhook, so its SmallRye Health endpoints are only reachable over HTTPS. */
    @Test
    void webhookProbesAreHttpsHealthChecksOnItsServingPort() {
        Container container = one(Deployment.class, "integcov-webhook").getSpec().getTemplate().getSpec()
                .getContainers().get(0);
        ContainerPort https = container.getPorts().stream().filter(p -> p.getContainerPort() == 8443).findFirst()
                .orElseThrow();
        assertHttpsGet(container.getReadinessProbe(), "/q/health/ready", https, "readiness");
        assertHttpsGet(container.getLivenessProbe(), "/q/health/live", https, "liveness");
        assertHttpsGet(container.getStartupProbe(), "/q/health/started", https, "startup");
    }

    private static void assertHttpsGet(Probe probe, String path, ContainerPort port, String what) {
        assertNotNull(probe, what + " probe");
        assertTrue(probe.getTcpSocket() == null && probe.getExec() == null && probe.getGrpc() == null,
                what + " probe is only an httpGet: " + probe);
        HTTPGetAction get = probe.getHttpGet();
        assertNotNull(get, what + " probe is an httpGet");
        assertEquals("HTTPS", get.getScheme(), what);
        assertEquals(path, get.getPath(), what);
        assertTrue(port.getName().equals(get.getPort().getStrVal()) || port.getContainerPort().equals(get.getPort()
                .getIntVal()), what + " probe port " + get.getPort() + " is not the HTTPS port " + port);
    }

    @Test
    void webhookMountsOnlyTheServingPairOfTheOperatorsSecret() throws Exception {
        PodSpec pod = one(Deployment.class, "integcov-webhook").getSpec().getTemplate().getSpec();
        Volume tls = pod.getVolumes().stream().filter(v -> v.getSecret() != null).findFirst().orElseThrow();
        assertEquals(defaultOf(WebhookTlsConfig.Tls.class, "secretName"), tls.getSecret().getSecretName());
        assertEquals(List.of("tls.crt", "tls.key"), tls.getSecret().getItems().stream().map(KeyToPath::getKey).toList());
        Container container = pod.getContainers().get(0);
        String mountPath = container.getVolumeMounts().stream().filter(m -> m.getName().equals(tls.getName()))
                .findFirst().orElseThrow().getMountPath();
        assertEquals(mountPath, container.getEnv().stream().filter(e -> e.getName().equals("INTEGCOV_TLS_DIR"))
                .findFirst().orElseThrow().getValue());
    }

    @Test
    void deploymentsUseTheirServiceAccountsAndSelectTheirOwnPods() {
        for (Deployment deployment : ofKind(Deployment.class)) {
            String account = deployment.getSpec().getTemplate().getSpec().getServiceAccountName();
            assertNotNull(one(ServiceAccount.class, account), deployment.getMetadata().getName());
            deployment.getSpec().getSelector().getMatchLabels().forEach((key, value) -> assertEquals(value,
                    deployment.getSpec().getTemplate().getMetadata().getLabels().get(key), key));
        }
        assertEquals(3, ofKind(Deployment.class).size(), "operator, webhook and the default store");
    }

    /** Without requests the scheduler over-packs a node; without a memory limit a leak takes the node's memory. */
    @Test
    void everyContainerRequestsCpuAndMemoryAndHasAMemoryLimit() {
        for (Deployment deployment : ofKind(Deployment.class)) {
            for (Container container : deployment.getSpec().getTemplate().getSpec().getContainers()) {
                String at = deployment.getMetadata().getName() + "/" + container.getName();
                assertNotNull(container.getResources(), at);
                Map<String, ?> requests = container.getResources().getRequests();
                assertTrue(requests != null && requests.containsKey("cpu") && requests.containsKey("memory"), at);
                assertTrue(container.getResources().getLimits() != null
                        && container.getResources().getLimits().containsKey("memory"), at);
            }
        }
    }

    @Test
    void everyPodMeetsTheRestrictedPodSecurityStandard() {
        for (Deployment deployment : ofKind(Deployment.class)) {
            String name = deployment.getMetadata().getName();
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot(), name);
            assertTrue(pod.getSecurityContext().getRunAsUser() > 0, name);
            assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType(), name);
            assertFalse(Boolean.TRUE.equals(pod.getHostNetwork()) || Boolean.TRUE.equals(pod.getHostPID())
                    || Boolean.TRUE.equals(pod.getHostIPC()), name);
            for (Volume volume : pod.getVolumes()) {
                assertNull(volume.getHostPath(), name + " " + volume.getName());
            }
            List<Container> containers = new ArrayList<>(pod.getContainers());
            if (pod.getInitContainers() != null) {
                containers.addAll(pod.getInitContainers());
            }
            for (Container container : containers) {
                var context = container.getSecurityContext();
                String at = name + "/" + container.getName();
                assertNotNull(context, at);
                assertEquals(Boolean.FALSE, context.getAllowPrivilegeEscalation(), at);
                assertEquals(List.of("ALL"), context.getCapabilities().getDrop(), at);
                assertTrue(context.getCapabilities().getAdd() == null || context.getCapabilities().getAdd().isEmpty(), at);
                assertFalse(Boolean.TRUE.equals(context.getPrivileged()), at);
                assertEquals(Boolean.TRUE, context.getReadOnlyRootFilesystem(), at);
                assertTrue(container.getPorts() == null
                        || container.getPorts().stream().allMatch(p -> p.getHostPort() == null), at);
            }
        }
    }

    /**
     * The default store: fake-gcs-server at the version the tests run (src/ci/install-fake-gcs.sh), its filesystem
     * backend on a claim of the default StorageClass, the bucket of the default URL made and the root repaired before it
     * starts, and a Service whose DNS name and port are what the webhook and the operator are told (DefaultStore's
     * constants).
     */
    @Test
    void defaultStoreIsFakeGcsServerOnAClaimBehindTheServiceTheOthersAreToldOf() throws Exception {
        Matcher pinned = Pattern.compile("(?m)^version=\\$\\{FAKE_GCS_VERSION:-v([0-9.]+)}")
                .matcher(Files.readString(root.resolve("src/ci/install-fake-gcs.sh")));
        assertTrue(pinned.find(), "the pinned version in install-fake-gcs.sh");
        String image = "docker.io/fsouza/fake-gcs-server:" + pinned.group(1);
        Deployment store = one(Deployment.class, DefaultStore.SERVICE);
        PodSpec pod = store.getSpec().getTemplate().getSpec();
        assertEquals("Recreate", store.getSpec().getStrategy().getType(), "one writer of a ReadWriteOnce volume");
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken());
        Container engine = pod.getContainers().get(0);
        assertEquals(image, engine.getImage());
        assertEquals(image, pod.getInitContainers().get(0).getImage());
        URI url = URI.create(DefaultStore.URL);
        assertEquals(List.of("/bin/mkdir", "-p", "/data/" + url.getHost()), pod.getInitContainers().get(0).getCommand(),
                "the bucket of the default URL");
        Container repair = pod.getInitContainers().get(1);
        assertEquals(List.of("/integcov-agent-upload", "repair-store", "/data"), repair.getCommand(),
                "files a killed store left without metadata are removed before it starts");
        assertTrue(repair.getImage().startsWith("integcov/agent"), repair.getImage());
        assertEquals("/data", repair.getVolumeMounts().get(0).getMountPath());
        assertEquals(List.of("/bin/fake-gcs-server"), engine.getCommand());
        List<String> args = engine.getArgs();
        assertTrue(args.containsAll(List.of("-scheme=http", "-port=" + DefaultStore.PORT, "-backend=filesystem",
                "-filesystem-root=/data", "-public-host=" + DefaultStore.EMULATOR_HOST,
                "-external-url=http://" + DefaultStore.EMULATOR_HOST)), args.toString());
        Volume data = pod.getVolumes().stream().filter(v -> v.getName().equals("data")).findFirst().orElseThrow();
        PersistentVolumeClaim claim = one(PersistentVolumeClaim.class, data.getPersistentVolumeClaim().getClaimName());
        assertNull(claim.getSpec().getStorageClassName(), "the cluster's default StorageClass");
        assertEquals(65532L, pod.getSecurityContext().getFsGroup());
        assertNotNull(engine.getReadinessProbe().getHttpGet());
        assertNotNull(engine.getLivenessProbe().getHttpGet());
        assertNotNull(engine.getResources().getLimits().get("memory"));

        Service service = one(Service.class, DefaultStore.SERVICE);
        assertEquals(NAMESPACE, DefaultStore.NAMESPACE);
        assertEquals(DefaultStore.PORT, service.getSpec().getPorts().get(0).getPort());
        service.getSpec().getSelector().forEach((key, value) -> assertEquals(value,
                store.getSpec().getTemplate().getMetadata().getLabels().get(key), key));
        assertEquals(engine.getPorts().get(0).getName(), service.getSpec().getPorts().get(0).getTargetPort().getStrVal());
        assertEquals(DefaultStore.PORT, engine.getPorts().get(0).getContainerPort());

        for (String deployment : List.of("integcov-webhook", "integcov-operator")) {
            Map<String, String> env = new java.util.HashMap<>();
            one(Deployment.class, deployment).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()
                    .forEach(e -> env.put(e.getName(), e.getValue()));
            assertEquals(DefaultStore.URL, env.get("INTEGCOV_DEFAULT_STORE_URL"), deployment);
            assertEquals(DefaultStore.EMULATOR_HOST, env.get("INTEGCOV_DEFAULT_STORE_EMULATOR_HOST"), deployment);
        }
    }

    /** Only injected pods of namespaces with injection on, and the operator, reach the store's port. */
    @Test
    void networkPolicyAdmitsInjectedPodsAndTheOperatorToTheStore() {
        NetworkPolicy policy = one(NetworkPolicy.class, DefaultStore.SERVICE);
        Deployment store = one(Deployment.class, DefaultStore.SERVICE);
        policy.getSpec().getPodSelector().getMatchLabels().forEach((key, value) -> assertEquals(value,
                store.getSpec().getTemplate().getMetadata().getLabels().get(key), key));
        assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes());
        assertEquals(1, policy.getSpec().getIngress().size());
        NetworkPolicyIngressRule rule = policy.getSpec().getIngress().get(0);
        assertEquals(List.of(DefaultStore.PORT), rule.getPorts().stream().map(p -> p.getPort().getIntVal()).toList());
        assertEquals(2, rule.getFrom().size());
        NetworkPolicyPeer injected = rule.getFrom().get(0);
        assertEquals(Map.of(Labels.INJECT_LABEL, Labels.INJECT_ENABLED),
                injected.getNamespaceSelector().getMatchLabels());
        assertEquals(Map.of(Labels.INJECTED_LABEL, Labels.INJECTED_LABEL_VALUE),
                injected.getPodSelector().getMatchLabels());
        NetworkPolicyPeer operator = rule.getFrom().get(1);
        assertNull(operator.getNamespaceSelector(), "the operator's own namespace");
        Map<String, String> operatorLabels = one(Deployment.class, "integcov-operator").getSpec().getTemplate()
                .getMetadata().getLabels();
        operator.getPodSelector().getMatchLabels().forEach((key, value) -> assertEquals(value,
                operatorLabels.get(key), key));
    }

    private static void assertRule(io.fabric8.kubernetes.api.model.HasMetadata role, String apiGroup, String resource,
            String resourceName, Set<String> verbs) {
        List<PolicyRule> rules = role instanceof ClusterRole c ? c.getRules() : ((Role) role).getRules();
        boolean found = rules.stream().anyMatch(rule -> rule.getApiGroups().contains(apiGroup)
                && rule.getResources().contains(resource)
                && (resourceName == null ? rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
                        : List.of(resourceName).equals(rule.getResourceNames()))
                && Set.copyOf(rule.getVerbs()).equals(verbs));
        assertTrue(found, role.getKind() + " " + role.getMetadata().getName() + " has no rule " + verbs + " on "
                + apiGroup + "/" + resource + (resourceName == null ? "" : "/" + resourceName) + ": " + rules);
    }

    private static void assertBound(List<Subject> subjects, String roleName, String serviceAccount) {
        assertEquals(serviceAccount, roleName);
        assertEquals(1, subjects.size());
        assertEquals("ServiceAccount", subjects.get(0).getKind());
        assertEquals(serviceAccount, subjects.get(0).getName());
        assertEquals(NAMESPACE, subjects.get(0).getNamespace());
    }

    /** The default that the operator's config interface declares for {@code method}. */
    private static String defaultOf(Class<?> config, String method) throws NoSuchMethodException {
        return config.getMethod(method).getAnnotation(WithDefault.class).value();
    }

    private static <T extends HasMetadata> List<T> ofKind(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static <T extends HasMetadata> T one(Class<T> type, String name) {
        List<T> matching = ofKind(type).stream().filter(o -> name.equals(o.getMetadata().getName())).toList();
        assertEquals(1, matching.size(), type.getSimpleName() + " " + name + " in deploy/base");
        return matching.get(0);
    }
}
