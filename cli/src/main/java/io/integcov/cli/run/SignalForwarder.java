package io.integcov.cli.run;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;

/**
 * Catches every signal a process can catch and sends the same signal to the child. Installed before the child starts,
 * so a signal arriving in between is queued and delivered once the child exists, rather than killing the wrapper.
 *
 * <p>Not forwarded: KILL and STOP (uncatchable), the JVM's own fault signals (SEGV, BUS, FPE, ILL, TRAP, ABRT), CHLD
 * and PIPE (they concern the wrapper itself). In JVM mode QUIT stays the JVM's (thread dump); a native image gets it.
 */
final class SignalForwarder {
    static final List<String> FORWARDED = List.of("HUP", "INT", "QUIT", "TERM", "USR1", "USR2", "ALRM", "WINCH",
            "CONT", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "IO", "PWR", "SYS");

    private final SignalSender sender;
    private final List<Signal> pending = new ArrayList<>();
    private final List<String> unavailable = new ArrayList<>();
    private ProcessHandle child;
    private volatile Instant firstTermAt;

    private SignalForwarder(SignalSender sender) {
        this.sender = sender;
    }

    static SignalForwarder install(SignalSender sender) {
        SignalForwarder forwarder = new SignalForwarder(sender);
        for (String name : FORWARDED) {
            try {
                Signal.handle(new Signal(name), forwarder::onSignal);
            } catch (IllegalArgumentException e) {
                forwarder.unavailable.add(name); // reserved by the VM or unknown on this OS
            }
        }
        return forwarder;
    }

    /** Starts forwarding to {@code process}, first delivering what arrived before it existed. */
    synchronized void attach(ProcessHandle process) {
        child = process;
        for (Signal signal : pending) {
            sender.send(child, signal.getName(), signal.getNumber());
        }
        pending.clear();
    }

    /** When the wrapper first got SIGTERM (kubelet's grace period starts then), or null. */
    Instant firstTermAt() {
        return firstTermAt;
    }

    List<String> unavailable() {
        return List.copyOf(unavailable);
    }

    private synchronized void onSignal(Signal signal) {
        if (signal.getName().equals("TERM") && firstTermAt == null) {
            firstTermAt = Instant.now();
        }
        if (child == null) {
            pending.add(signal);
        } else {
            sender.send(child, signal.getName(), signal.getNumber());
        }
    }
}
