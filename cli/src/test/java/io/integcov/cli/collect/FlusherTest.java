package io.integcov.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.integcov.model.InjectedPod;
import io.integcov.model.Labels;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which pods and containers {@code collect --flush} runs {@code integcov-agent flush} in, and with which binary. */
class FlusherTest {
    static final List<String> WRAP_FLUSH = List.of(Labels.AGENT_PATH, "flush");
    static final List<String> SIDECAR_FLUSH = List.of("/integcov-agent", "flush");

    static Container wrapped(String name) {
        return new ContainerBuilder().withName(name).withImage("app")
                .withCommand(Labels.AGENT_PATH, "run", "--", "/app").build();
    }

    static Container plain(String name) {
        return new ContainerBuilder().withName(name).withImage("app").build();
    }

    static Container sidecar(String... served) {
        List<String> command = new java.util.ArrayList<>(List.of("/integcov-agent", "sidecar"));
        command.addAll(List.of(served));
        return new ContainerBuilder().withName(Labels.SIDECAR_NAME).withImage("integcov/agent:0.1.0")
                .withRestartPolicy("Always").withCommand(command).build();
    }

    static Container installer() {
        return new ContainerBuilder().withName(Labels.INIT_CONTAINER_NAME).withImage("integcov/agent:0.1.0")
                .withCommand("/integcov-agent", "install", Labels.BIN_DIR).build();
    }

    /**
     * A pod as the webhook leaves it, with the annotations it writes: the containers built by {@link #wrapped} are the
     * wrapped ones, those named in the command of {@link #sidecar} the ones it serves.
     */
    static Pod pod(String injectedBy, String phase, boolean deleting, List<Container> init,
            List<Container> containers) {
        List<String> wrapped = containers.stream().filter(c -> c.getCommand() != null && !c.getCommand().isEmpty()
                && c.getCommand().get(0).equals(Labels.AGENT_PATH)).map(Container::getName).toList();
        List<String> served = init.stream().filter(c -> c.getCommand() != null && c.getCommand().size() > 1
                && c.getCommand().get(1).equals("sidecar")).flatMap(c -> c.getCommand().stream().skip(2)).toList();
        return pod(InjectedPod.annotations(injectedBy, wrapped, served), phase,
                deleting, init, containers);
    }

    static Pod pod(Map<String, String> annotations, String phase, boolean deleting, List<Container> init,
            List<Container> containers) {
        PodBuilder builder = new PodBuilder().withNewMetadata().withName("api-1").withNamespace("shop")
                .withAnnotations(annotations)
                .withDeletionTimestamp(deleting ? "2026-11-26T01:00:00Z" : null).endMetadata()
                .withNewSpec().withInitContainers(init).withContainers(containers).endSpec()
                .withNewStatus().withPhase(phase).endStatus();
        return builder.build();
    }

    static Flusher.Target wrap(String container) {
        return new Flusher.Target("api-1", container, Flusher.WRAP, WRAP_FLUSH);
    }

    static Flusher.Target side() {
        return new Flusher.Target("api-1", Labels.SIDECAR_NAME, Flusher.SIDECAR, SIDECAR_FLUSH);
    }

    static Stream<Arguments> pods() {
        return Stream.of(
                Arguments.of("wrapped container runs the installed agent itself",
                        pod("e2e", "Running", false, List.of(installer()), List.of(wrapped("app"))),
                        List.of(wrap("app"))),
                Arguments.of("only the wrapped containers of a pod, each on its own",
                        pod("e2e", "Running", false, List.of(installer()),
                                List.of(wrapped("app"), plain("envoy"), wrapped("worker"))),
                        List.of(wrap("app"), wrap("worker"))),
                Arguments.of("sidecar mode flushes once in the sidecar with the binary of its command",
                        pod("e2e", "Running", false, List.of(sidecar("app", "worker")),
                                List.of(plain("app"), plain("worker"))),
                        List.of(side())),
                Arguments.of("a pod with both modes flushes in the sidecar and in the wrapped container",
                        pod("e2e", "Running", false, List.of(installer(), sidecar("app")),
                                List.of(plain("app"), wrapped("job"))),
                        List.of(side(), wrap("job"))),
                Arguments.of("pod injected by another capture is left alone",
                        pod("nightly", "Running", false, List.of(installer()), List.of(wrapped("app"))),
                        List.of()),
                Arguments.of("pod not injected is left alone",
                        pod(Map.of(), "Running", false, List.of(), List.of(wrapped("app"))), List.of()),
                Arguments.of("pending pod has no program to flush yet",
                        pod("e2e", "Pending", false, List.of(installer()), List.of(wrapped("app"))), List.of()),
                Arguments.of("finished pod already uploaded at exit",
                        pod("e2e", "Succeeded", false, List.of(installer()), List.of(wrapped("app"))), List.of()),
                Arguments.of("pod being deleted uploads at exit",
                        pod("e2e", "Running", true, List.of(installer()), List.of(wrapped("app"))), List.of()),
                Arguments.of("an init container of the user named like ours but not running sidecar is no sidecar",
                        pod("e2e", "Running", false, List.of(new ContainerBuilder()
                                .withName(Labels.SIDECAR_NAME).withCommand("/integcov-agent", "install", "/x")
                                .build()), List.of(plain("app"))),
                        List.of()),
                Arguments.of("only the containers the webhook's annotations name, whatever the others' commands say",
                        pod(InjectedPod.annotations("e2e", List.of("app"), List.of()), "Running", false,
                                List.of(installer()), List.of(wrapped("app"), wrapped("tool"))),
                        List.of(wrap("app"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pods")
    void flushTargetsFollowModeAndPhase(String why, Pod pod, List<Flusher.Target> expected) {
        assertEquals(expected, Flusher.targets(pod, "e2e"));
    }

    @org.junit.jupiter.api.Test
    void reportsTheAgentsLastStderrLineElseItsLastStdoutLine() {
        assertEquals("integcov-agent: 1 of 2 coverage files not uploaded", Flusher.lastLine(
                bytes("integcov-agent: flushing\nintegcov-agent: 1 of 2 coverage files not uploaded\n\n"),
                bytes("ignored\n")));
        assertEquals("done", Flusher.lastLine(bytes(" \n"), bytes("start\ndone\n")));
        assertEquals("", Flusher.lastLine(bytes(""), bytes("")));
    }

    private static java.io.ByteArrayOutputStream bytes(String text) {
        java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
        stream.writeBytes(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return stream;
    }
}
