package io.github.loadstar.ops;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import io.github.loadstar.core.management.SchedulerManagement;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/*
 * The JVMs of this machine (of this OS user: the Attach API, like jcmd, reaches only those) and the
 * schedulers in them. Listing reads each JVM's system properties through the Attach API, which
 * starts nothing in the target; the scheduler names come from SchedulerManagement.SCHEDULERS_PROPERTY,
 * which a scheduler with JMX on keeps up to date. Only the JVM an operator picks is asked to start its
 * local management agent (what `jcmd PID ManagementAgent.start_local` does), once, on connect.
 */

/** The local JVMs and their schedulers, through the JDK's Attach API. */
public final class LocalJvms {
    private LocalJvms() {
    }

    /** Every JVM of this user but this one, with its schedulers; JVMs that refuse to attach are left out. */
    public static List<LocalJvm> list() {
        String self = Long.toString(ProcessHandle.current().pid());
        List<LocalJvm> out = new ArrayList<>();
        for (VirtualMachineDescriptor d : VirtualMachine.list()) {
            if (d.id().equals(self)) {
                continue;
            }
            try {
                out.add(new LocalJvm(d.id(), d.displayName(), schedulers(d.id())));
            } catch (IOException | AttachNotSupportedException e) {
                // exited since it was listed, or belongs to another user: not ours to operate
            }
        }
        return out;
    }

    /**
     * The names of the schedulers registered in JVM {@code pid}.
     *
     * @throws IOException                 if it cannot be reached
     * @throws AttachNotSupportedException if it does not allow attaching
     */
    public static List<String> schedulers(String pid) throws IOException, AttachNotSupportedException {
        VirtualMachine vm = VirtualMachine.attach(pid);
        try {
            return decode(vm.getSystemProperties());
        } finally {
            vm.detach();
        }
    }

    static List<String> decode(Properties properties) {
        String listed = properties.getProperty(SchedulerManagement.SCHEDULERS_PROPERTY, "");
        List<String> names = new ArrayList<>();
        for (String n : listed.split(",")) {
            if (!n.isEmpty()) {
                names.add(URLDecoder.decode(n, StandardCharsets.UTF_8));
            }
        }
        return names;
    }

    /**
     * The JMX address of JVM {@code pid}'s local management agent, started if it is not running
     * (a JVM keeps it until it exits).
     *
     * @throws IOException                 if it cannot be reached or refuses to start the agent
     * @throws AttachNotSupportedException if it does not allow attaching
     */
    public static String localJmxAddress(String pid) throws IOException, AttachNotSupportedException {
        VirtualMachine vm = VirtualMachine.attach(pid);
        try {
            return vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
    }
}
