package io.integcov.e2e;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.Labels;
import io.integcov.testing.GoTools;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What src/ci/demo.sh runs after building: integcov's main job on this one machine. Starts the local cluster, installs
 * integcov as users do ({@link IntegcovInCluster}: the images built from deploy/docker, {@code kubectl apply -k} of
 * deploy/ with only the image names changed; operator, webhook and the default store run as pods), applies a
 * CoverageCapture without storage (the default store), runs testapps/covapp as a Deployment of 2 replicas in a labelled
 * namespace, sends it a few requests, scales it to 0 (SIGTERM: the agents upload), runs
 * {@code integcov collect --capture demo/covapp --wait} (only a kubeconfig) and prints the report, then stops
 * everything.
 * Argument: the work directory (logs stay there).
 */
public final class Demo {
    private Demo() {
    }

    static void say(String s) {
        System.out.println("demo: " + s);
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "e2e/target/demo").toAbsolutePath();
        Files.createDirectories(work);
        String missing = LocalCluster.missingPrerequisites();
        if (missing != null) {
            System.err.println("demo: " + missing);
            System.exit(2);
        }
        say("starting the local cluster (logs in " + work.resolve("cluster/logs") + ")");
        try (LocalCluster cluster = LocalCluster.start(work.resolve("cluster"))) {
            say("building the images from deploy/docker (src/ci/images/build.sh) and installing deploy/ with"
                    + " kubectl apply -k: CRD, RBAC, operator, webhook, default store");
            IntegcovInCluster.in(cluster);
            for (Pod p : cluster.api().adminClient().pods().inNamespace(IntegcovInCluster.SYSTEM_NS).list().getItems()) {
                say("  pod " + IntegcovInCluster.SYSTEM_NS + "/" + p.getMetadata().getName() + " runs "
                        + p.getSpec().getContainers().get(0).getImage());
            }
            Images.covapp(cluster);
            run(cluster, work);
            say("stopping the local cluster");
        }
        say("done; the host is as before");
        System.exit(0);
    }

    static void run(LocalCluster cluster, Path work) throws Exception {
        KubernetesClient k = cluster.api().adminClient();
        String ns = "demo";

        k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
                .addToLabels(Labels.INJECT_LABEL, Labels.INJECT_ENABLED).endMetadata().build()).serverSideApply();
        CoverageCaptureSpec spec = new CoverageCaptureSpec();
        spec.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", "covapp")).build());
        k.resources(CoverageCapture.class).inNamespace(ns).resource(new CoverageCapture(ns, "covapp", spec))
                .serverSideApply();
        say("applied CoverageCapture demo/covapp (no storage: the in-cluster default store)");

        Deployment d = new DeploymentBuilder().withNewMetadata().withName("covapp").withNamespace(ns).endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "covapp").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "covapp").endMetadata().withNewSpec()
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(65532L).endSecurityContext()
                .addToContainers(new ContainerBuilder().withName("app").withImage(Images.COVAPP)
                        .withImagePullPolicy("Never").withCommand(Images.COVAPP_PATH).withArgs("-serve", ":8080")
                        .withNewSecurityContext().withReadOnlyRootFilesystem(true).endSecurityContext().build())
                .endSpec().endTemplate().endSpec().build();
        // the webhook learns about the capture through its informer; retry the create until the pods come out wrapped
        KubeApiServer.waitUntil("the webhook knows the capture", null, () -> {
            Pod probe = k.pods().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                    .withNewMetadata().withName("probe").withLabels(Map.of("app", "covapp")).endMetadata()
                    .withSpec(d.getSpec().getTemplate().getSpec()).build()).dryRun().create();
            return probe.getMetadata().getAnnotations() != null
                    && probe.getMetadata().getAnnotations().containsKey(Labels.INJECTED_ANNOTATION);
        });
        k.apps().deployments().inNamespace(ns).resource(d).create();
        k.apps().deployments().inNamespace(ns).withName("covapp").waitUntilCondition(x -> x.getStatus() != null
                && Integer.valueOf(2).equals(x.getStatus().getReadyReplicas()), 3, TimeUnit.MINUTES);
        List<Pod> pods = k.pods().inNamespace(ns).withLabel("app", "covapp").list().getItems();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (Pod p : pods) {
            say("pod " + p.getMetadata().getName() + " runs " + p.getSpec().getContainers().get(0).getCommand()
                    + " (wrapped by the webhook), IP " + p.getStatus().getPodIP());
            for (int n : new int[] {3, 5, 15}) {
                URI uri = URI.create("http://" + p.getStatus().getPodIP() + ":8080/classify?n=" + n);
                KubeApiServer.waitUntil(uri.toString(), null, () -> http.send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
                say("  GET " + uri + " -> " + http.send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofString()).body().trim());
            }
        }
        say("scaling the Deployment to 0: SIGTERM, the apps exit, the agents upload their coverage");
        k.apps().deployments().inNamespace(ns).withName("covapp").scale(0);

        Path out = work.resolve("collected");
        Path textfmt = work.resolve("coverage.txt");
        Path cliJar = E2eEnv.repoRoot().resolve("cli/target/integcov.jar");
        List<String> collect = new ArrayList<>(List.of(E2eEnv.java().toString(), "-jar", cliJar.toString(),
                "collect", "--capture", ns + "/covapp", "--wait", "--timeout", "3m", "-o", out.toString(),
                "--textfmt", textfmt.toString()));
        say("$ integcov collect --capture demo/covapp --wait -o " + out + " --textfmt " + textfmt);
        ProcessBuilder pb = new ProcessBuilder(collect).inheritIO();
        pb.environment().put("KUBECONFIG", cluster.adminKubeconfig().toString());
        int rc = pb.start().waitFor();
        if (rc != 0) {
            throw new IllegalStateException("integcov collect exited " + rc);
        }
        say("$ go tool cover -func " + textfmt);
        System.out.print(GoTools.run(E2eEnv.repoRoot().resolve("testapps/covapp"), GoTools.go().toString(), "tool",
                "cover", "-func", textfmt.toString()));
    }
}
