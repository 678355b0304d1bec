package io.integcov.cli.collect;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.dsl.ExecListener;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.integcov.cli.Errors;
import io.integcov.model.InjectedPod;
import io.integcov.model.Labels;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code collect --flush}: Go writes coverage counters only when a program exits, so for workloads that keep running
 * (and a CI that then deletes the cluster) collect first runs {@code integcov-agent flush} in every running pod of
 * the capture through the pods/exec API. The agent asks each program importing {@code integcov.io/agent/flush} to
 * write its counters and uploads them as a run of mode {@code flush}, which the normal collection then downloads.
 * Which pods and containers get which command is a pure function of the pod ({@link #targets}), so it is tested
 * without a cluster; the exec itself is fabric8's.
 */
public final class Flusher {
    /** Modes as the manifest and the webhook name them: the app container wrapped, or served by the sidecar. */
    static final String WRAP = "wrap";
    static final String SIDECAR = "sidecar";

    /** One {@code integcov-agent flush} to run: in container {@code container} of {@code pod}. */
    public record Target(String pod, String container, String mode, List<String> command) {
    }

    /** How one flush went; {@code detail} is the agent's last output line or why it could not run. */
    public record Result(Target target, boolean ok, String detail) {
        String describe() {
            return "pod " + target.pod() + " container " + target.container() + " (" + target.mode() + ")"
                    + (detail.isEmpty() ? "" : ": " + detail);
        }
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String capture;
    private final int parallel;

    public Flusher(KubernetesClient client, String namespace, String capture, int parallel) {
        this.client = client;
        this.namespace = namespace;
        this.capture = capture;
        this.parallel = parallel;
    }

    /**
     * The flushes to run in a pod: none unless the pod is Running, not being deleted (its agents upload at exit
     * anyway) and was injected by {@code capture}. Which containers are wrapped and which the sidecar serves is what the
     * webhook's annotations say ({@link InjectedPod#readFor}): each wrapped container runs {@code <agent> flush} itself;
     * the native sidecar ({@value Labels#SIDECAR_NAME} init container) runs it once for all the containers it serves,
     * with the agent binary its own command starts.
     */
    static List<Target> targets(Pod pod, String capture) {
        InjectedPod injected = InjectedPod.readFor(pod, capture).orElse(null);
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (injected == null || !"Running".equals(phase) || pod.getMetadata().getDeletionTimestamp() != null) {
            return List.of();
        }
        String name = pod.getMetadata().getName();
        List<Target> targets = new ArrayList<>();
        if (!injected.getSidecar().isEmpty()) {
            String agent = (pod.getSpec().getInitContainers() == null ? List.<Container>of()
                    : pod.getSpec().getInitContainers()).stream()
                    .filter(init -> Labels.SIDECAR_NAME.equals(init.getName()) && init.getCommand() != null
                            && !init.getCommand().isEmpty())
                    .map(init -> init.getCommand().get(0)).findFirst().orElse(null);
            if (agent != null) {
                targets.add(new Target(name, Labels.SIDECAR_NAME, SIDECAR, List.of(agent, "flush")));
            }
        }
        for (String container : injected.getWrapped()) {
            targets.add(new Target(name, container, WRAP, List.of(Labels.AGENT_PATH, "flush")));
        }
        return targets;
    }

    /**
     * Runs every flush of the capture's running pods, {@code parallel} at a time, each given until
     * {@code timeout} from now; results in pod and container order.
     */
    public List<Result> flushAll(Duration timeout) throws InterruptedException {
        List<Target> targets = client.pods().inNamespace(namespace).list().getItems().stream()
                .flatMap(pod -> targets(pod, capture).stream())
                .sorted(Comparator.comparing(Target::pod).thenComparing(Target::container))
                .toList();
        long deadline = System.nanoTime() + timeout.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(parallel, targets.size())));
        try {
            List<Future<Result>> futures = new ArrayList<>();
            for (Target target : targets) {
                futures.add(pool.submit(() -> flush(target, deadline, timeout)));
            }
            List<Result> results = new ArrayList<>();
            for (Future<Result> future : futures) {
                try {
                    results.add(future.get());
                } catch (ExecutionException e) {
                    throw new IllegalStateException(Errors.describe(e.getCause()), e.getCause());
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * fabric8 completes {@code ExecWatch.exitCode()} with null when the websocket closes while the agent's stderr is
     * still being written out, and hands the exit status to {@link ExecListener#onExit} only after that write; so the
     * status is taken from the listener, waiting at most this long after the close for it.
     */
    static final Duration STATUS_AFTER_CLOSE = Duration.ofSeconds(5);

    private Result flush(Target target, long deadline, Duration timeout) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        ExecListener listener = new ExecListener() {
            @Override
            public void onExit(int code, Status status) {
                exit.complete(code);
            }

            @Override
            public void onFailure(Throwable failure, Response response) {
                exit.completeExceptionally(failure);
            }

            @Override
            public void onClose(int code, String reason) {
                // the close alone says nothing about the exit status; see STATUS_AFTER_CLOSE
            }
        };
        try (ExecWatch watch = client.pods().inNamespace(namespace).withName(target.pod())
                .inContainer(target.container()).writingOutput(out).writingError(err).usingListener(listener)
                .exec(target.command().toArray(String[]::new))) {
            watch.exitCode().whenComplete((code, failure) -> {
                if (failure != null) {
                    exit.completeExceptionally(failure);
                } else if (code == null) {
                    exit.completeOnTimeout(null, STATUS_AFTER_CLOSE.toMillis(), TimeUnit.MILLISECONDS);
                }
            });
            Integer code = exit.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            String said = lastLine(err, out);
            if (code != null && code == 0) {
                return new Result(target, true, said);
            }
            return new Result(target, false, (code == null || code < 0 ? "integcov-agent flush ended without an exit"
                    + " status" : "integcov-agent flush exited " + code) + (said.isEmpty() ? "" : ": " + said));
        } catch (TimeoutException e) {
            return new Result(target, false, "no answer from integcov-agent flush within "
                    + timeout.toString().substring(2).toLowerCase());
        } catch (ExecutionException e) {
            return new Result(target, false, "cannot exec integcov-agent flush: " + Errors.describe(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(target, false, "interrupted");
        } catch (RuntimeException e) {
            return new Result(target, false, "cannot exec integcov-agent flush: " + Errors.describe(e));
        }
    }

    /** The last non-blank line the agent wrote, stderr first (its log), else stdout. */
    static String lastLine(ByteArrayOutputStream err, ByteArrayOutputStream out) {
        for (ByteArrayOutputStream stream : List.of(err, out)) {
            String[] lines = stream.toString(StandardCharsets.UTF_8).strip().split("\n");
            String last = lines[lines.length - 1].strip();
            if (!last.isEmpty()) {
                return last;
            }
        }
        return "";
    }
}
