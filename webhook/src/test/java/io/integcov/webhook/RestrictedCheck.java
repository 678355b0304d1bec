package io.integcov.webhook;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.List;

/** The container-level checks of the Pod Security Standard "restricted" (a subset sufficient for these fixtures). */
final class RestrictedCheck {
    private RestrictedCheck() {
    }

    static List<String> violations(Pod pod) {
        List<String> out = new ArrayList<>();
        PodSecurityContext psc = pod.getSpec().getSecurityContext();
        boolean podNonRoot = psc != null && Boolean.TRUE.equals(psc.getRunAsNonRoot());
        boolean podSeccomp = psc != null && psc.getSeccompProfile() != null
                && List.of("RuntimeDefault", "Localhost").contains(psc.getSeccompProfile().getType());
        List<Container> all = new ArrayList<>(pod.getSpec().getContainers());
        if (pod.getSpec().getInitContainers() != null) {
            all.addAll(pod.getSpec().getInitContainers());
        }
        for (Container c : all) {
            SecurityContext sc = c.getSecurityContext();
            String n = c.getName();
            if (sc == null || !Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
                out.add(n + ": allowPrivilegeEscalation != false");
            }
            if (sc == null || sc.getCapabilities() == null || sc.getCapabilities().getDrop() == null
                    || !sc.getCapabilities().getDrop().contains("ALL")) {
                out.add(n + ": capabilities do not drop ALL");
            }
            if (sc != null && sc.getCapabilities() != null && sc.getCapabilities().getAdd() != null
                    && sc.getCapabilities().getAdd().stream().anyMatch(a -> !a.equals("NET_BIND_SERVICE"))) {
                out.add(n + ": adds capabilities");
            }
            boolean nonRoot = sc != null && sc.getRunAsNonRoot() != null ? sc.getRunAsNonRoot() : podNonRoot;
            if (!nonRoot) {
                out.add(n + ": runAsNonRoot not true");
            }
            if (sc != null && sc.getRunAsUser() != null && sc.getRunAsUser() == 0) {
                out.add(n + ": runAsUser 0");
            }
            boolean seccomp = sc != null && sc.getSeccompProfile() != null
                    ? List.of("RuntimeDefault", "Localhost").contains(sc.getSeccompProfile().getType()) : podSeccomp;
            if (!seccomp) {
                out.add(n + ": no RuntimeDefault/Localhost seccomp profile");
            }
            if (sc != null && Boolean.TRUE.equals(sc.getPrivileged())) {
                out.add(n + ": privileged");
            }
        }
        if (pod.getSpec().getVolumes() != null) {
            for (Volume v : pod.getSpec().getVolumes()) {
                if (v.getHostPath() != null) {
                    out.add(v.getName() + ": hostPath volume");
                }
            }
        }
        return out;
    }
}
