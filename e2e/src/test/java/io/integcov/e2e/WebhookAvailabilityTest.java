package io.integcov.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.Labels;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The webhook stays available while one of its pods goes away: deploy/ runs 2 replicas behind the Service with a
 * PodDisruptionBudget, so when one pod is deleted (SIGTERM, removed from the Service's endpoints, replaced by the
 * Deployment) kube-apiserver keeps reaching the other. Pods are created without pause from before the delete until the
 * replacement is ready, and every one of them must come back injected (failurePolicy Ignore would otherwise admit
 * them silently unmutated). The pods carry a nodeSelector no node has: admission is what is tested.
 */
@ExtendWith({LocalClusterExtension.class, SystemPodLogsOnFailure.class})
class WebhookAvailabilityTest {
    static final String NS = "e2e-availability";

    static IntegcovInCluster integcov;
    static KubernetesClient admin;

    @BeforeAll
    static void install(LocalCluster cluster) throws Exception {
        integcov = IntegcovInCluster.in(cluster);
        admin = cluster.api().adminClient();
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS)
                .addToLabels(Labels.INJECT_LABEL, Labels.INJECT_ENABLED).endMetadata().build()).serverSideApply();
        admin.serviceAccounts().inNamespace(NS).withName("default").waitUntilCondition(sa -> sa != null,
                IntegcovInCluster.START.toSeconds(), TimeUnit.SECONDS);
        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        spec.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", "avail")).build());
        admin.resources(CoverageCapture.class).inNamespace(NS).resource(new CoverageCapture(NS, "avail", spec))
                .serverSideApply();
        KubeApiServer.waitUntil("a dry-run create in " + NS + " is mutated by the webhook", null,
                () -> injected(admin.pods().inNamespace(NS).resource(pod("probe")).dryRun().create()));
    }

    /** A pod of the capture that no node runs (a nodeSelector label no node has). */
    static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NS).addToLabels("app", "avail")
                .endMetadata().withNewSpec().withNodeSelector(Map.of(WebhookAdmissionTest.UNSCHEDULABLE_LABEL, "true"))
                .withTerminationGracePeriodSeconds(0L).addToContainers(new ContainerBuilder().withName("app")
                        .withImage("registry.invalid/app:1").withCommand("/app").build())
                .endSpec().build();
    }

    static boolean injected(Pod p) {
        return p.getMetadata().getAnnotations() != null
                && p.getMetadata().getAnnotations().containsKey(Labels.INJECTED_ANNOTATION);
    }

    /** Creates pods one after the other until stopped; records which came back injected and which not. */
    static final class Creator implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        final List<String> injected = Collections.synchronizedList(new ArrayList<>());
        final List<String> notInjected = Collections.synchronizedList(new ArrayList<>());
        final String prefix;
        volatile Throwable failure;

        Creator(String prefix) {
            this.prefix = prefix;
        }

        int created() {
            return injected.size() + notInjected.size();
        }

        @Override
        public void run() {
            try {
                for (int i = 0; !stop.get(); i++) {
                    Pod stored = admin.pods().inNamespace(NS).resource(pod(prefix + "-" + i)).create();
                    (injected(stored) ? injected : notInjected).add(stored.getMetadata().getName() + " at "
                            + stored.getMetadata().getCreationTimestamp());
                    Thread.sleep(50); // a steady stream of creations, not a flood of the 2-core machine
                }
            } catch (RuntimeException | Error e) {
                failure = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void awaitCreated(int count) throws Exception {
            KubeApiServer.waitUntil(count + " pods created", null, () -> {
                if (failure != null) {
                    throw new AssertionError("creating pods failed", failure);
                }
                return created() >= count;
            });
        }

        void stopAndJoin(Thread t) throws InterruptedException {
            stop.set(true);
            t.join(TimeUnit.MINUTES.toMillis(2));
            if (failure != null) {
                throw new AssertionError("creating pods failed", failure);
            }
        }
    }

    @Test
    void everyPodIsInjectedWhileAWebhookPodIsDeletedAndReplaced() throws Exception {
        PodDisruptionBudget pdb = admin.policy().v1().podDisruptionBudget().inNamespace(IntegcovInCluster.SYSTEM_NS)
                .withName(IntegcovInCluster.WEBHOOK).get();
        assertNotNull(pdb, "deploy/ has a PodDisruptionBudget for the webhook");
        List<Pod> before = integcov.pods(IntegcovInCluster.WEBHOOK);
        assertEquals(IntegcovInCluster.WEBHOOK_REPLICAS, before.size());
        Set<String> beforeNames = before.stream().map(p -> p.getMetadata().getName())
                .collect(Collectors.toCollection(TreeSet::new));
        String victim = before.get(0).getMetadata().getName();

        Creator creator = new Creator("during-delete");
        Thread t = new Thread(creator, "create-pods");
        t.start();
        try {
            creator.awaitCreated(5);
            // a graceful delete, as a node drain or a rollout does it
            admin.pods().inNamespace(IntegcovInCluster.SYSTEM_NS).withName(victim).delete();
            admin.pods().inNamespace(IntegcovInCluster.SYSTEM_NS).withName(victim).waitUntilCondition(p -> p == null,
                    IntegcovInCluster.START.toSeconds(), TimeUnit.SECONDS);
            int atReplacement = creator.created();
            integcov.awaitAvailable(IntegcovInCluster.WEBHOOK, IntegcovInCluster.WEBHOOK_REPLICAS);
            Set<String> after = integcov.pods(IntegcovInCluster.WEBHOOK).stream().map(p -> p.getMetadata().getName())
                    .collect(Collectors.toCollection(TreeSet::new));
            assertTrue(!after.contains(victim) && !after.equals(beforeNames), "replaced: " + beforeNames + " -> "
                    + after);
            // and some more once the replacement serves
            creator.awaitCreated(creator.created() + 5);
            System.out.printf("e2e: %d pods created while webhook pod %s was deleted (gone after %d) and replaced%n",
                    creator.created(), victim, atReplacement);
        } finally {
            creator.stopAndJoin(t);
        }
        assertEquals(List.of(), creator.notInjected, creator.notInjected.size() + " of " + creator.created()
                + " pods admitted without injection while webhook pod " + victim + " went away\n"
                + integcov.diagnostics());
        assertTrue(creator.created() >= 10, "pods created: " + creator.created());
    }
}
