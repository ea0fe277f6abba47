package dev.edgeagent.runtime.network;

import dev.edgeagent.profiles.NetRule;
import dev.edgeagent.runtime.RuntimeFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tinylog.Logger;

/**
 * Wires bridge apps: before a container is created, a named network namespace, each of its networks through the
 * CNI plugins, its egress rules inside that namespace, its /etc/hosts; after it is deleted, all of that undone
 * with the same inputs, and a network no app uses any more removed with its leases.
 *
 * <p>The plugins cost about 200 ms of processes per app (loopback, bridge, host-local), more than runc takes to
 * create the container. So each network in use keeps one spare: a namespace wired ahead of time (loopback up, on
 * the bridge, an address leased) under a CNI id of its own ({@code Spare-…}, which no container id can be), with no
 * process and no rules in it. The next app on that network with the same plugin list takes it over, and only its
 * egress rules and hosts file are left for its start; a new spare is wired after, off the start path. A spare goes
 * with its network.
 */
public final class AppNetworks {
    private final String rootKey;
    private final NetworkState state;
    private final CniPlugins cni;
    private final NetRule pool;
    static final String SPARE_PREFIX = "Spare-";
    private static final long SPARE_DELAY_MS = 500;
    /** Set when the agent stops: no spare is wired after that (an agent in a test's JVM outlives nothing of its own). */
    private volatile boolean closed;

    /**
     * @param rootKey what makes this agent's bridge names its own (its root path)
     * @param dir     the agent's {@code net/} folder
     * @param pool    where new networks take their /24 from
     */
    public AppNetworks(String rootKey, Path dir, CniPlugins cni, NetRule pool) {
        this.rootKey = rootKey;
        this.state = new NetworkState(dir);
        this.cni = cni;
        this.pool = pool;
    }

    /** The netns file a container's spec names; it exists once {@link #attach} has run. */
    public Path netns(String container) {
        return state.netns(container);
    }

    /** The file bound at the container's /etc/hosts. */
    public Path hosts(String container) {
        return state.hosts(container);
    }

    public Optional<Attachment> attachment(String container) {
        try {
            return state.attachment(container);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The apps' attachments (not the spares). */
    public List<Attachment> attachments() throws IOException {
        return state.attachmentsOnDisk().stream().filter(a -> !isSpare(a.container())).toList();
    }

    static boolean isSpare(String container) {
        return container.startsWith(SPARE_PREFIX);
    }

    /**
     * Wires {@code container} per {@code plan}. A container that is already wired (a restart of the same container, an
     * agent restart) keeps its namespace and addresses. Whatever fails, nothing of this attach is left.
     */
    public Attachment attach(String container, NetworkPlan plan) throws RuntimeFailure {
        Optional<Wiring> wiring = begin(container, plan);
        if (wiring.isEmpty()) {
            return attachment(container).orElseThrow();
        }
        Attachment attached = finish(wiring.get());
        replenishLater(plan, attached);
        return attached;
    }

    /** A step that runs while the network is wired: the runtime creating the container in its namespace. */
    @FunctionalInterface
    public interface Step<T> {
        T run() throws RuntimeFailure;
    }

    /**
     * Wires {@code container} as {@link #attach} does, while {@code create} runs: the namespace and the hosts file exist
     * first (the container's spec names both), then the CNI plugins and the egress rules work on another thread while
     * the runtime creates the container. The app's own process starts only at the runtime's start, after this returns,
     * so it never sees a namespace without its egress rules. When the wiring fails after {@code create} succeeded,
     * {@code undo} removes what it made; when {@code create} fails, the wiring is finished (or undone) before this
     * throws, so the caller's clean-up never races a plugin.
     */
    public <T> T attachDuring(String container, NetworkPlan plan, Step<T> create, Step<?> undo) throws RuntimeFailure {
        Optional<Wiring> wiring = begin(container, plan);
        if (wiring.isEmpty()) {
            return create.run();
        }
        java.util.concurrent.FutureTask<Attachment> cni = new java.util.concurrent.FutureTask<>(() -> finish(wiring.get()));
        Thread t = new Thread(cni, "wire " + container);
        t.setDaemon(true);
        t.start();
        T created;
        try {
            created = create.run();
        } catch (RuntimeFailure | RuntimeException e) {
            try {
                await(cni);
            } catch (RuntimeFailure alsoFailed) {
                e.addSuppressed(alsoFailed);
            }
            throw e;
        }
        Attachment attached;
        try {
            attached = await(cni);
        } catch (RuntimeFailure e) {
            try {
                undo.run();
            } catch (RuntimeFailure alsoFailed) {
                e.addSuppressed(alsoFailed);
            }
            throw e;
        }
        replenishLater(plan, attached);
        return created;
    }

    private static Attachment await(java.util.concurrent.FutureTask<Attachment> task) throws RuntimeFailure {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the wiring is short and must end before anyone cleans up after it
                }
            }
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeFailure rf ? rf : new RuntimeFailure("could not wire: " + cause.getMessage(), cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** What {@link #begin} made and {@link #finish} completes; {@code cniId}: the container's, or the spare's it took over. */
    private record Wiring(String container, NetworkPlan plan, Path netns, List<BridgeNetwork> nets, List<Attachment.Link> links,
            long startedNanos, String cniId) {
        /** A spare's namespace, its plugins run already. */
        boolean adopted() {
            return !cniId.equals(container);
        }
    }

    /**
     * The part of wiring the container's spec depends on: the networks known, the attachment recorded as pending (a
     * crash from here on leaves what to delete), the namespace bound to its file, the hosts file. Empty when the
     * container is wired already.
     */
    private synchronized Optional<Wiring> begin(String container, NetworkPlan plan) throws RuntimeFailure {
        long t0 = System.nanoTime();
        Optional<Attachment> existing = attachment(container);
        Path netns = state.netns(container);
        if (existing.isPresent() && NetnsFile.isMounted(netns) && existing.get().complete()) {
            return Optional.empty();
        }
        if (existing.isPresent() || Files.exists(netns)) {
            detach(container); // half-wired (a crash mid-attach, a reboot): start over
        }
        try {
            List<BridgeNetwork> nets = ensureNetworks(plan.networks());
            List<Attachment.Link> links = new ArrayList<>();
            boolean firewall = forwardPolicyDrops();
            for (int i = 0; i < nets.size(); i++) {
                BridgeNetwork n = nets.get(i);
                boolean ports = i == 0 && !plan.ports().isEmpty();
                boolean snat = ports && plan.ports().stream().anyMatch(p -> p.hostIp().startsWith("127.") || p.hostIp().equals("0.0.0.0"));
                Map<String, Object> conf = CniNetworkConfig.of(n, state.leases(),
                        new CniNetworkConfig.Features(!plan.egress().isEmpty(), ports, snat, firewall));
                links.add(new Attachment.Link(n.name(), n.bridge(), n.subnet().cidr(), "eth" + i, conf, Optional.empty(), Optional.empty()));
            }
            Optional<Attachment> spare = spareFor(plan, links);
            if (spare.isPresent()) {
                adopt(spare.get(), container, plan);
            } else {
                state.save(new Attachment(container, plan.app(), netns.toString(), links, plan.portMappings()));
                NetnsFile.create(netns);
            }
            Files.createDirectories(state.hosts(container).getParent());
            HostsFile.write(state.hosts(container), HostsFile.render(plan.app(), "127.0.1.1", Map.of())); // filled in by finish
            return Optional.of(new Wiring(container, plan, netns, nets, spare.map(Attachment::links).orElse(links), t0,
                    spare.map(Attachment::cniId).orElse(container)));
        } catch (RuntimeFailure | IOException | RuntimeException e) {
            throw undone(container, e);
        }
    }

    /** The plugins, the egress rules and the hosts files: what {@link #begin} left for after the namespace exists. */
    private synchronized Attachment finish(Wiring w) throws RuntimeFailure {
        try {
            List<Attachment.Link> done = new ArrayList<>();
            NetworkPlan plan = w.plan();
            if (w.adopted()) {
                done.addAll(w.links());
            } else {
                cni.add(loopback(), new CniPlugins.Call(w.container(), w.netns(), "lo"), Map.of());
            }
            for (int i = done.size(); i < w.nets().size(); i++) {
                BridgeNetwork n = w.nets().get(i);
                Attachment.Link l = w.links().get(i);
                Map<String, Object> runtimeConfig = i == 0 && !plan.ports().isEmpty()
                        ? Map.of("portMappings", plan.portMappings()) : Map.of();
                Map<String, Object> result = cni.add(l.conf(), new CniPlugins.Call(w.container(), w.netns(), l.ifname()), runtimeConfig);
                done.add(new Attachment.Link(n.name(), n.bridge(), n.subnet().cidr(), l.ifname(), l.conf(), addressOf(result), Optional.of(result)));
                // Kept after each network, so DEL gets every result it needs even if a later ADD fails.
                List<Attachment.Link> sofar = new ArrayList<>(done);
                sofar.addAll(w.links().subList(done.size(), w.links().size()));
                state.save(new Attachment(w.container(), plan.app(), w.netns().toString(), sofar, plan.portMappings()));
            }
            Attachment attached = new Attachment(w.container(), plan.app(), w.netns().toString(), done, plan.portMappings(), w.cniId());
            applyEgress(w.netns(), w.nets(), plan.egress(), pool);
            for (Attachment a : attachments()) {
                refreshHosts(a); // its own, and every peer's: they learn its name
            }
            Logger.info("container={} wired to {} as {} in {} ms{}", w.container(), plan.networks(),
                    done.stream().map(l -> l.address().orElse("?")).toList(), (System.nanoTime() - w.startedNanos()) / 1_000_000,
                    w.adopted() ? " (a spare namespace taken over: " + w.cniId() + ")" : "");
            return attached;
        } catch (RuntimeFailure | IOException | RuntimeException e) {
            throw undone(w.container(), e);
        }
    }

    /** Undoes a failed wiring and says why it failed. */
    private RuntimeFailure undone(String container, Exception e) {
        try {
            detach(container);
        } catch (RuntimeFailure alsoFailed) {
            e.addSuppressed(alsoFailed);
        }
        return e instanceof RuntimeFailure rf ? rf : new RuntimeFailure("could not wire " + container + ": " + e.getMessage(), e);
    }

    /**
     * Undoes {@link #attach}: DEL with the kept results (in reverse), the namespace unmounted and removed, the hosts
     * file gone, and networks that no container uses any more removed. A container never wired is a no-op.
     */
    public synchronized void detach(String container) throws RuntimeFailure {
        RuntimeFailure first = unwire(container);
        try {
            for (Attachment other : attachments()) {
                refreshHosts(other);
            }
            removeUnusedNetworks();
        } catch (IOException e) {
            Logger.warn("could not tidy the networks after {}: {}", container, e.getMessage());
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * DEL for each link (unless an app took this spare over: its plugins' work is that app's now), the namespace
     * unmounted, the hosts file and the record gone. Returns the first failure; goes on past it.
     */
    private RuntimeFailure unwire(String container) {
        Optional<Attachment> a = attachment(container);
        Path netns = state.netns(container);
        RuntimeFailure first = null;
        if (a.isPresent() && isSpare(container) && claimed(container)) {
            Logger.info("spare namespace {} was taken over; its record is dropped", container);
            a = Optional.empty();
        }
        if (a.isPresent()) {
            List<Attachment.Link> links = new ArrayList<>(a.get().links());
            java.util.Collections.reverse(links);
            for (Attachment.Link l : links) {
                try {
                    cni.del(l.conf(), new CniPlugins.Call(a.get().cniId(), netns, l.ifname()),
                            l.ifname().equals("eth0") && !a.get().portMappings().isEmpty()
                                    ? Map.of("portMappings", a.get().portMappings()) : Map.of(),
                            l.result());
                } catch (RuntimeFailure e) {
                    Logger.warn("container={} CNI DEL on {} failed: {}", container, l.network(), e.getMessage());
                    first = first == null ? e : first;
                }
            }
        }
        try {
            if (a.isPresent() && !a.get().cniId().equals(container) && state.attachment(a.get().cniId()).isPresent()) {
                // Taken over from a spare whose record outlived the handover (a failure right after it): its
                // namespace is this one, just DELed, so it is no spare any more.
                NetnsFile.remove(state.netns(a.get().cniId()));
                state.forget(a.get().cniId());
            }
            NetnsFile.remove(netns);
            Files.deleteIfExists(state.hosts(container));
            state.forget(container);
        } catch (RuntimeFailure e) {
            first = first == null ? e : first;
        } catch (IOException e) {
            first = first == null ? new RuntimeFailure("could not remove the network state of " + container + ": " + e.getMessage(), e) : first;
        }
        return first;
    }

    /** Whether an app's attachment names {@code spare}'s CNI id: it took the spare over. */
    private boolean claimed(String spare) {
        try {
            return claimedIds(state.attachmentsOnDisk()).contains(spare);
        } catch (IOException e) {
            return true; // when in doubt, never DEL what an app may be using
        }
    }

    /** The spares' ids that apps' attachments name: taken over, whatever their own records still say. */
    private static Set<String> claimedIds(List<Attachment> all) {
        return all.stream().filter(a -> !isSpare(a.container()) && !a.cniId().equals(a.container()))
                .map(Attachment::cniId).collect(java.util.stream.Collectors.toSet());
    }

    /** A whole spare on the plan's only network, wired with the plugin list the plan needs; none for other plans. */
    private Optional<Attachment> spareFor(NetworkPlan plan, List<Attachment.Link> wanted) throws IOException {
        if (wanted.size() != 1 || !plan.ports().isEmpty()) {
            return Optional.empty();
        }
        Attachment.Link want = wanted.get(0);
        List<Attachment> all = state.attachmentsOnDisk();
        Set<String> claimed = claimedIds(all);
        for (Attachment s : all) {
            if (isSpare(s.container()) && s.complete() && s.links().size() == 1 && s.links().get(0).network().equals(want.network())
                    && s.links().get(0).conf().equals(want.conf()) && NetnsFile.isMounted(Path.of(s.netns())) && !claimed.contains(s.container())) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /**
     * Hands {@code spare}'s namespace to {@code container}: bound at the container's netns file, the container's
     * record naming the spare's CNI id, then the spare's record and file dropped. A crash between any two steps leaves
     * either a spare still whole, or a spare record an app's record claims (dropped without DEL at start).
     */
    private void adopt(Attachment spare, String container, NetworkPlan plan) throws RuntimeFailure, IOException {
        Path netns = state.netns(container);
        NetnsFile.bind(Path.of(spare.netns()), netns);
        state.save(new Attachment(container, plan.app(), netns.toString(), spare.links(), plan.portMappings(), spare.cniId()));
        state.forget(spare.container());
        NetnsFile.remove(Path.of(spare.netns()));
    }

    /** Wires a new spare for the plan's network on another thread, when the plan could have used one. */
    private void replenishLater(NetworkPlan plan, Attachment attached) {
        if (plan.networks().size() != 1 || !plan.ports().isEmpty() || attached.links().size() != 1) {
            return;
        }
        Attachment.Link like = attached.links().get(0);
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(SPARE_DELAY_MS); // after the app's own start, which these processes would slow down
            } catch (InterruptedException e) {
                return;
            }
            wireSpare(like.network(), like.conf());
        }, "spare " + like.network());
        t.setDaemon(true);
        t.start();
    }

    /**
     * One spare for {@code network}, unless it has one or no app uses it any more. Holds the lock while the plugins
     * run (about 200 ms), so a detach or another start never sees it half-made; a failure only costs the next app
     * its head start.
     */
    private synchronized void wireSpare(String network, Map<String, Object> conf) {
        String id = SPARE_PREFIX + java.util.HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(8)
                .putLong(java.util.concurrent.ThreadLocalRandom.current().nextLong()).array());
        try {
            if (closed) {
                return;
            }
            long t0 = System.nanoTime();
            List<Attachment> all = state.attachmentsOnDisk();
            boolean hasSpare = all.stream().anyMatch(a -> isSpare(a.container()) && a.links().stream().anyMatch(l -> l.network().equals(network)));
            boolean used = all.stream().anyMatch(a -> !isSpare(a.container()) && a.links().stream().anyMatch(l -> l.network().equals(network)));
            BridgeNetwork n = state.networks().get(network);
            if (hasSpare || !used || n == null) {
                return;
            }
            Path netns = state.netns(id);
            Attachment.Link pending = new Attachment.Link(n.name(), n.bridge(), n.subnet().cidr(), "eth0", conf, Optional.empty(), Optional.empty());
            state.save(new Attachment(id, "", netns.toString(), List.of(pending), List.of()));
            NetnsFile.create(netns);
            cni.add(loopback(), new CniPlugins.Call(id, netns, "lo"), Map.of());
            Map<String, Object> result = cni.add(conf, new CniPlugins.Call(id, netns, "eth0"), Map.of());
            state.save(new Attachment(id, "", netns.toString(), List.of(new Attachment.Link(n.name(), n.bridge(), n.subnet().cidr(), "eth0", conf,
                    addressOf(result), Optional.of(result))), List.of()));
            Logger.info("network {}: spare namespace {} wired ahead in {} ms", network, id, (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeFailure | IOException | RuntimeException e) {
            Logger.warn("network {}: could not wire a spare namespace: {}", network, e.getMessage());
            RuntimeFailure undone = unwire(id);
            if (undone != null) {
                Logger.warn("network {}: could not undo spare {}: {}", network, id, undone.getMessage());
            }
        }
    }

    /** No more spares: the agent is stopping. Returns at once; what is wired stays, as every app's network does. */
    public void close() {
        closed = true;
    }

    /**
     * At start: undoes every attachment whose container is not in {@code keep} (a crash between wiring and
     * recording, an app removed while the agent was down), removes netns files nothing names, and networks no one uses.
     */
    public synchronized void removeLeftovers(Set<String> keep) {
        try {
            for (Attachment a : state.attachmentsOnDisk()) {
                if (!isSpare(a.container()) && !keep.contains(a.container())) {
                    Logger.info("removing the network of container {}, which no app record names", a.container());
                    detachQuietly(a.container());
                }
            }
            List<Attachment> left = state.attachmentsOnDisk();
            Set<String> claimed = claimedIds(left);
            for (Attachment s : left) {
                // Kept only whole and mounted (a reboot unmounts every namespace), and not taken over by an app.
                if (isSpare(s.container()) && (!s.complete() || !NetnsFile.isMounted(Path.of(s.netns())) || claimed.contains(s.container()))) {
                    RuntimeFailure e = unwire(s.container());
                    if (e != null) {
                        Logger.warn("could not remove spare namespace {}: {}", s.container(), e.getMessage());
                    }
                }
            }
            Path nsDir = state.netns("x").getParent();
            if (Files.isDirectory(nsDir)) {
                try (var files = Files.list(nsDir)) {
                    for (Path f : files.toList()) {
                        String c = f.getFileName().toString();
                        if (state.attachment(c).isEmpty()) {
                            Logger.info("removing network namespace {}, which no attachment names", f);
                            detachQuietly(c);
                        }
                    }
                }
            }
            removeUnusedNetworks();
        } catch (IOException e) {
            Logger.warn("could not clean the networks' leftovers: {}", e.getMessage());
        }
    }

    private void detachQuietly(String container) {
        try {
            detach(container);
        } catch (RuntimeFailure e) {
            Logger.warn("container={} network cleanup failed: {}", container, e.getMessage());
        }
    }

    private List<BridgeNetwork> ensureNetworks(List<String> names) throws IOException, RuntimeFailure {
        Map<String, BridgeNetwork> known = state.networks();
        List<BridgeNetwork> out = new ArrayList<>();
        boolean changed = false;
        for (String name : names) {
            BridgeNetwork n = known.get(name);
            if (n == null) {
                n = new BridgeNetwork(name, BridgeNetwork.bridgeName(rootKey, name), freeSubnet(known.values()));
                known.put(name, n);
                changed = true;
                Logger.info("network {} created: bridge {} subnet {}", name, n.bridge(), n.subnet().cidr());
            }
            out.add(n);
        }
        if (changed) {
            state.saveNetworks(known);
        }
        return out;
    }

    /** The first /24 of the pool that no other network of this agent and no host route overlaps. */
    private NetRule freeSubnet(Collection<BridgeNetwork> taken) throws RuntimeFailure {
        List<NetRule> routes = HostRoutes.read();
        int count = 1 << (24 - pool.prefix());
        for (int i = 0; i < count; i++) {
            NetRule candidate = new NetRule(pool.address() + (i << 8), 24, 0, "any");
            boolean free = taken.stream().noneMatch(n -> NetRules.overlaps(n.subnet(), candidate))
                    && routes.stream().noneMatch(r -> NetRules.overlaps(r, candidate));
            if (free) {
                return candidate;
            }
        }
        throw new RuntimeFailure("no free /24 left in the network pool " + pool.cidr());
    }

    private void removeUnusedNetworks() throws IOException {
        Map<String, BridgeNetwork> known = state.networks();
        Set<String> used = new java.util.HashSet<>();
        for (Attachment a : attachments()) {
            a.links().forEach(l -> used.add(l.network()));
        }
        for (Attachment s : state.attachmentsOnDisk()) {
            if (isSpare(s.container()) && s.links().stream().noneMatch(l -> used.contains(l.network()))) {
                RuntimeFailure e = unwire(s.container());
                if (e != null) {
                    Logger.warn("could not remove spare namespace {}: {}", s.container(), e.getMessage());
                }
            }
        }
        boolean changed = false;
        for (BridgeNetwork n : List.copyOf(known.values())) {
            if (used.contains(n.name())) {
                continue;
            }
            // The bridge plugin makes the bridge but never removes it; no plugin does, so the agent asks ip.
            try {
                HostCommand.Result r = HostCommand.run(List.of("ip", "link", "delete", n.bridge(), "type", "bridge"));
                if (!r.ok() && !r.stderr().contains("Cannot find device")) {
                    Logger.warn("could not remove bridge {}: {}", n.bridge(), r.stderr().strip());
                    continue;
                }
            } catch (RuntimeFailure e) {
                Logger.warn("could not remove bridge {}: {}", n.bridge(), e.getMessage());
                continue;
            }
            dev.edgeagent.security.fs.Trees.deleteRecursively(state.leases().resolve(n.bridge()));
            known.remove(n.name());
            changed = true;
            Logger.info("network {} removed: no app uses it (bridge {})", n.name(), n.bridge());
        }
        if (changed) {
            state.saveNetworks(known);
        }
    }

    /** Rewrites the hosts file of {@code a}: itself and every app on a network it shares. */
    private void refreshHosts(Attachment a) throws IOException {
        Path file = state.hosts(a.container());
        if (!Files.isDirectory(file.getParent()) || a.firstAddress().isEmpty()) {
            return;
        }
        Map<String, String> peers = new LinkedHashMap<>();
        for (Attachment other : attachments()) {
            if (other.container().equals(a.container()) || other.app().equals(a.app())) {
                continue;
            }
            for (Attachment.Link l : a.links()) {
                Optional<String> address = other.address(l.network());
                if (address.isPresent()) {
                    peers.putIfAbsent(other.app(), address.get());
                }
            }
        }
        HostsFile.write(file, HostsFile.render(a.app(), a.firstAddress().get(), peers));
    }

    /**
     * Whether the host's FORWARD chain drops by default (a host with Docker, say): then the firewall plugin must let
     * the apps' traffic through. Asked once per agent run.
     */
    private boolean forwardPolicyDrops() {
        if (forwardDrops == null) {
            try {
                HostCommand.Result r = HostCommand.run(List.of("iptables", "-w", "-S", "FORWARD"));
                forwardDrops = !r.ok() || !r.stdout().startsWith("-P FORWARD ACCEPT");
            } catch (RuntimeFailure e) {
                forwardDrops = true;
            }
        }
        return forwardDrops;
    }

    private Boolean forwardDrops;

    private static void applyEgress(Path netns, List<BridgeNetwork> nets, List<NetRule> egress, NetRule pool) throws RuntimeFailure {
        HostCommand.Result r = HostCommand.run(List.of("nsenter", "--net=" + netns, "iptables-restore"), null,
                EgressRules.ipv4(nets, egress, pool).getBytes());
        if (!r.ok()) {
            throw new RuntimeFailure("could not put the egress rules into " + netns + ": " + r.stderr().strip());
        }
        if (!Files.exists(Path.of("/proc/net/if_inet6"))) {
            return; // IPv6 is off in this kernel: nothing to refuse
        }
        r = HostCommand.run(List.of("nsenter", "--net=" + netns, "ip6tables-restore"), null, EgressRules.ipv6().getBytes());
        if (!r.ok()) {
            throw new RuntimeFailure("could not put the IPv6 rules into " + netns + ": " + r.stderr().strip());
        }
    }

    private static Map<String, Object> loopback() {
        return Map.of("cniVersion", CniPlugins.CNI_VERSION, "name", "lo", "plugins", List.of(Map.of("type", "loopback")));
    }

    /** The first IPv4 address of a CNI 1.0.0 result, without its prefix length. */
    @SuppressWarnings("unchecked")
    static Optional<String> addressOf(Map<String, Object> result) {
        if (result == null || !(result.get("ips") instanceof List<?> ips)) {
            return Optional.empty();
        }
        for (Object ip : ips) {
            String address = String.valueOf(((Map<String, Object>) ip).get("address"));
            if (address.contains(".")) {
                return Optional.of(address.substring(0, address.indexOf('/')));
            }
        }
        return Optional.empty();
    }
}
