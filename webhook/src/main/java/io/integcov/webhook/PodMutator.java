package io.integcov.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.integcov.model.CommandOverride;
import io.integcov.model.CoverageCapture;
import io.integcov.model.CoverageCaptureSpec;
import io.integcov.model.Labels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a CoverageCapture to a pod: wraps the selected containers' commands with the integcov wrapper, adds the
 * install init container, the two emptyDir volumes, the env and the marker annotations. Pure (no I/O) and idempotent:
 * every addition is skipped when already present, so mutating its own output changes nothing.
 *
 * <p>
 * Decisions: an existing {@code GOCOVERDIR} in a container's env is kept and then the covdata volume is not mounted
 * into that container (the wrapper uploads from whatever GOCOVERDIR is; the user owns that directory). Existing env
 * vars with our names are kept too. Init containers are never wrapped. A container without {@code command} is wrapped
 * with the CR's command override for it, else skipped: a warning and an {@code integcov.io/skipped} entry
 * {@code <container>:no-command}.
 */
public class PodMutator {
    public static final List<String> WRAPPER_PREFIX = List.of(Labels.WRAPPER_PATH, "run", "--");
    /** Non-root uid the install init container runs as (so it works under runAsNonRoot with any image USER). */
    public static final long INSTALL_UID = 65532L;
    public static final String SKIP_NO_COMMAND = "no-command";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public record Settings(String agentImage, String agentBinary) {
    }

    /** The mutated pod (a copy), admission warnings, and which containers were wrapped. */
    public record Result(Pod pod, List<String> warnings, List<String> wrapped, List<String> skipped) {
    }

    private final Settings settings;

    public PodMutator(Settings settings) {
        this.settings = settings;
    }

    public Result mutate(Pod original, CoverageCapture capture) {
        Pod pod = MAPPER.convertValue(original, Pod.class); // deep copy
        CoverageCaptureSpec spec = capture.getSpec();
        String captureName = capture.getMetadata().getName();
        PodSpec podSpec = pod.getSpec();
        List<String> warnings = new ArrayList<>();
        List<String> wrapped = new ArrayList<>();
        List<String> skipped = new ArrayList<>();

        List<String> wanted = spec.getContainers() == null ? List.of() : spec.getContainers();
        List<String> podContainers = podSpec.getContainers().stream().map(Container::getName).toList();
        for (String name : wanted) {
            if (!podContainers.contains(name)) {
                boolean init = podSpec.getInitContainers() != null
                        && podSpec.getInitContainers().stream().anyMatch(c -> name.equals(c.getName()));
                warnings.add("integcov: container " + name + " listed in CoverageCapture " + captureName
                        + (init ? " is an init container; init containers are not wrapped" : " is not in the pod"));
            }
        }
        for (Container c : podSpec.getContainers()) {
            if (!wanted.isEmpty() && !wanted.contains(c.getName())) {
                continue;
            }
            List<String> command = commandFor(c, spec);
            if (command == null) {
                skipped.add(c.getName() + ":" + SKIP_NO_COMMAND);
                warnings.add("integcov: container " + c.getName() + " has no command (the image ENTRYPOINT is unknown"
                        + " at admission); add it to spec.commandOverrides of CoverageCapture " + captureName
                        + " to capture its coverage");
                continue;
            }
            wrap(c, command, capture, podSpec.getTerminationGracePeriodSeconds());
            wrapped.add(c.getName());
        }

        Map<String, String> annotations = new LinkedHashMap<>();
        if (pod.getMetadata().getAnnotations() != null) {
            annotations.putAll(pod.getMetadata().getAnnotations());
        }
        if (!skipped.isEmpty()) {
            annotations.put(Labels.SKIPPED_ANNOTATION, String.join(",", skipped));
            warnings.add("integcov: wrapped " + wrapped.size() + " of " + (wrapped.size() + skipped.size())
                    + " selected containers");
        }
        if (!wrapped.isEmpty()) {
            addVolumesAndInstaller(podSpec, spec);
            annotations.put(Labels.INJECTED_ANNOTATION, captureName);
        }
        if (!annotations.isEmpty()) {
            pod.getMetadata().setAnnotations(annotations);
        }
        return new Result(pod, warnings, wrapped, skipped);
    }

    /** The command to wrap, or null when the container has none and the CR gives no override. */
    static List<String> commandFor(Container c, CoverageCaptureSpec spec) {
        if (c.getCommand() != null && !c.getCommand().isEmpty()) {
            return c.getCommand();
        }
        if (spec.getCommandOverrides() != null) {
            for (CommandOverride o : spec.getCommandOverrides()) {
                if (c.getName().equals(o.getContainer()) && o.getCommand() != null && !o.getCommand().isEmpty()) {
                    return o.getCommand();
                }
            }
        }
        return null;
    }

    private static void wrap(Container c, List<String> command, CoverageCapture capture, Long gracePeriodSeconds) {
        CoverageCaptureSpec spec = capture.getSpec();
        if (!command.isEmpty() && !command.get(0).equals(Labels.WRAPPER_PATH)) {
            List<String> wrappedCommand = new ArrayList<>(WRAPPER_PREFIX);
            wrappedCommand.addAll(command);
            c.setCommand(wrappedCommand);
        }
        List<EnvVar> env = c.getEnv() == null ? new ArrayList<>() : new ArrayList<>(c.getEnv());
        boolean ownCoverDir = addEnv(env, Labels.ENV_GOCOVERDIR, Labels.COVDATA_DIR);
        addEnv(env, Labels.ENV_STORAGE, spec.getStorage().getUrl());
        addFieldRefEnv(env, Labels.ENV_POD_NAME, "metadata.name");
        addFieldRefEnv(env, Labels.ENV_POD_NAMESPACE, "metadata.namespace");
        addEnv(env, Labels.ENV_CONTAINER, c.getName());
        addEnv(env, Labels.ENV_CAPTURE, capture.getMetadata().getName());
        addEnv(env, Labels.ENV_CAPTURE_UID, capture.getMetadata().getUid() == null ? "" : capture.getMetadata().getUid());
        if (spec.getUploadTimeoutSeconds() != null) {
            addEnv(env, Labels.ENV_UPLOAD_TIMEOUT, spec.getUploadTimeoutSeconds().toString());
        }
        if (gracePeriodSeconds != null) {
            addEnv(env, Labels.ENV_GRACE_PERIOD, gracePeriodSeconds.toString());
        }
        c.setEnv(env);

        List<VolumeMount> mounts = c.getVolumeMounts() == null ? new ArrayList<>() : new ArrayList<>(c.getVolumeMounts());
        addMount(mounts, Labels.BIN_VOLUME, Labels.BIN_DIR, true);
        if (ownCoverDir) {
            addMount(mounts, Labels.COVDATA_VOLUME, Labels.COVDATA_DIR, false);
        }
        c.setVolumeMounts(mounts);
    }

    /** Adds a literal env var unless one of that name exists; true when added. */
    private static boolean addEnv(List<EnvVar> env, String name, String value) {
        if (env.stream().anyMatch(e -> name.equals(e.getName()))) {
            return false;
        }
        env.add(new EnvVar(name, value, null));
        return true;
    }

    private static void addFieldRefEnv(List<EnvVar> env, String name, String fieldPath) {
        if (env.stream().noneMatch(e -> name.equals(e.getName()))) {
            env.add(new EnvVarBuilder().withName(name).withNewValueFrom().withNewFieldRef()
                    .withApiVersion("v1").withFieldPath(fieldPath).endFieldRef().endValueFrom().build());
        }
    }

    private static void addMount(List<VolumeMount> mounts, String volume, String path, boolean readOnly) {
        if (mounts.stream().noneMatch(m -> volume.equals(m.getName()) || path.equals(m.getMountPath()))) {
            VolumeMount m = new VolumeMount();
            m.setName(volume);
            m.setMountPath(path);
            m.setReadOnly(readOnly ? Boolean.TRUE : null);
            mounts.add(m);
        }
    }

    private void addVolumesAndInstaller(PodSpec podSpec, CoverageCaptureSpec spec) {
        List<Volume> volumes = podSpec.getVolumes() == null ? new ArrayList<>() : new ArrayList<>(podSpec.getVolumes());
        addEmptyDir(volumes, Labels.BIN_VOLUME);
        boolean covdataMounted = podSpec.getContainers().stream().anyMatch(c -> c.getVolumeMounts() != null
                && c.getVolumeMounts().stream().anyMatch(m -> Labels.COVDATA_VOLUME.equals(m.getName())));
        if (covdataMounted) {
            addEmptyDir(volumes, Labels.COVDATA_VOLUME);
        }
        podSpec.setVolumes(volumes);

        List<Container> inits = podSpec.getInitContainers() == null ? new ArrayList<>()
                : new ArrayList<>(podSpec.getInitContainers());
        if (inits.stream().noneMatch(c -> Labels.INIT_CONTAINER_NAME.equals(c.getName()))) {
            inits.add(0, installer(spec));
        }
        podSpec.setInitContainers(inits);
    }

    private static void addEmptyDir(List<Volume> volumes, String name) {
        if (volumes.stream().noneMatch(v -> name.equals(v.getName()))) {
            volumes.add(new VolumeBuilder().withName(name).withNewEmptyDir().endEmptyDir().build());
        }
    }

    /** The init container copying the wrapper into the bin volume; Pod Security "restricted" compliant. */
    Container installer(CoverageCaptureSpec spec) {
        String image = spec.getWrapperImage() != null && !spec.getWrapperImage().isBlank() ? spec.getWrapperImage()
                : settings.agentImage();
        return new ContainerBuilder()
                .withName(Labels.INIT_CONTAINER_NAME)
                .withImage(image)
                .withCommand(settings.agentBinary(), "install", Labels.BIN_DIR)
                .addNewVolumeMount().withName(Labels.BIN_VOLUME).withMountPath(Labels.BIN_DIR).endVolumeMount()
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(INSTALL_UID)
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .build();
    }
}
