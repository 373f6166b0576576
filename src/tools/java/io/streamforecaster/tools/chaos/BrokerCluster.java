package io.streamforecaster.tools.chaos;

import io.streamforecaster.tools.CpuTime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.awaitility.Awaitility;

/**
 * Real Apache Kafka nodes (KRaft, each broker and controller in one), each its own process started
 * from Kafka's Maven artifacts: unlike brokers in the tool's JVM, a node can be killed with
 * {@code kill -9} and started again on the same log directory and port, as an operator's broker
 * would be. With three nodes the controller quorum survives the loss of one.
 */
public final class BrokerCluster implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);

    private final Path dir;
    private final List<BrokerNode> nodes;

    private BrokerCluster(Path dir, List<BrokerNode> nodes) {
        this.dir = dir;
        this.nodes = nodes;
    }

    /**
     * Formats and starts {@code count} nodes under {@code dir}, and waits until each is a ready broker.
     *
     * @param overrides broker settings added to (or replacing) the defaults below
     */
    public static BrokerCluster start(Path dir, int count, Map<String, String> overrides) throws Exception {
        if (count < 1) {
            throw new IllegalArgumentException("Invalid number of brokers = " + count);
        }
        Files.createDirectories(dir);
        int[] brokerPorts = new int[count];
        int[] controllerPorts = new int[count];
        StringBuilder voters = new StringBuilder();
        for (int i = 0; i < count; i++) {
            brokerPorts[i] = freePort();
            controllerPorts[i] = freePort();
            voters.append(i == 0 ? "" : ",").append(i + 1).append("@localhost:").append(controllerPorts[i]);
        }
        String clusterId = Uuid.randomUuid().toString();
        List<BrokerNode> nodes = new ArrayList<>();
        BrokerCluster cluster = new BrokerCluster(dir, nodes);
        try {
            for (int i = 0; i < count; i++) {
                Path nodeDir = dir.resolve("node-" + (i + 1));
                Files.createDirectories(nodeDir);
                Path config = nodeDir.resolve("server.properties");
                Map<String, String> nodeConfig = nodeConfig(i + 1, count, brokerPorts[i], controllerPorts[i], voters.toString(),
                        nodeDir.resolve("data"), overrides);
                writeConfig(config, nodeConfig);
                format(clusterId, config);
                nodes.add(new BrokerNode(i + 1, brokerPorts[i], config, Path.of(nodeConfig.get("log.dirs")), nodeDir.resolve("broker.log")));
            }
            for (BrokerNode node : nodes) {
                node.start();
            }
            for (BrokerNode node : nodes) {
                cluster.awaitReady(node.id());
            }
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    static Map<String, String> nodeConfig(int id, int count, int brokerPort, int controllerPort, String voters, Path data,
                                          Map<String, String> overrides) {
        int replicas = Math.min(3, count);
        Map<String, String> c = new TreeMap<>();
        c.put("process.roles", "broker,controller");
        c.put("node.id", Integer.toString(id));
        c.put("controller.quorum.voters", voters);
        c.put("listeners", "PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort);
        c.put("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort);
        c.put("controller.listener.names", "CONTROLLER");
        c.put("inter.broker.listener.name", "PLAINTEXT");
        c.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        c.put("log.dirs", data.toString());
        c.put("offsets.topic.replication.factor", Integer.toString(replicas));
        c.put("offsets.topic.num.partitions", "10");
        c.put("transaction.state.log.replication.factor", Integer.toString(replicas));
        c.put("transaction.state.log.min.isr", Integer.toString(Math.min(2, replicas)));
        c.put("transaction.state.log.num.partitions", "10");
        c.put("default.replication.factor", Integer.toString(replicas));
        c.put("min.insync.replicas", Integer.toString(Math.min(2, replicas)));
        c.put("group.initial.rebalance.delay.ms", "0");
        c.put("auto.create.topics.enable", "true");
        c.put("num.partitions", "2");
        // a node that comes back catches up and leads again, as in production
        c.put("auto.leader.rebalance.enable", "true");
        c.putAll(overrides);
        return c;
    }

    private static void writeConfig(Path file, Map<String, String> config) throws IOException {
        Properties p = new Properties();
        p.putAll(config);
        try (Writer w = Files.newBufferedWriter(file)) {
            p.store(w, "written by the chaos tool");
        }
    }

    /** {@code kafka-storage format}, run in this JVM (it is a plain method of Kafka's tool). */
    private static void format(String clusterId, Path config) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            status = kafka.tools.StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", config.toString()}, ps);
        } catch (Exception e) {
            throw new IOException("kafka-storage format failed for " + config + ": " + e, e);
        }
        if (status != 0) {
            throw new IOException("kafka-storage format failed for " + config + ": " + out.toString(StandardCharsets.UTF_8));
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public String bootstrapServers() {
        StringBuilder s = new StringBuilder();
        for (BrokerNode n : nodes) {
            s.append(s.length() == 0 ? "" : ",").append("localhost:").append(n.port());
        }
        return s.toString();
    }

    public int size() {
        return nodes.size();
    }

    /** CPU time the nodes have used so far, in seconds; NaN when one is not running or the OS does not tell. */
    public double cpuSeconds() {
        double sum = 0;
        for (BrokerNode n : nodes) {
            sum += n.cpuSeconds();
        }
        return sum;
    }

    public Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return Admin.create(p);
    }

    /** Creates a topic with this partition count, the cluster's replication and any topic configs. */
    public void createTopic(String name, int partitions, Map<String, String> configs) throws ExecutionException, InterruptedException {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) Math.min(3, nodes.size())).configs(configs)))
                    .all().get();
        }
    }

    /** SIGTERM: Kafka's controlled shutdown (leaderships moved away, logs flushed); waits for the process to end. */
    public void stop(int id) throws InterruptedException {
        node(id).stop();
    }

    /** {@code kill -9}: no controlled shutdown, no flush. */
    public void kill(int id) throws InterruptedException {
        node(id).kill();
    }

    /** Starts a stopped node again, on its log directory and port, and waits until it is a ready broker. */
    public void restart(int id) throws Exception {
        node(id).start();
        awaitReady(id);
    }

    public boolean isAlive(int id) {
        return node(id).isAlive();
    }

    /** The node that leads most partitions of this topic (the one whose loss moves most leaderships). */
    public int busiestLeader(String topic) throws Exception {
        try (Admin admin = admin()) {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            Map<Integer, Integer> led = new TreeMap<>();
            for (TopicPartitionInfo p : d.partitions()) {
                if (p.leader() != null) {
                    led.merge(p.leader().id(), 1, Integer::sum);
                }
            }
            return led.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(1);
        }
    }

    /** Whether every partition of these topics has all its replicas in sync. */
    public boolean fullyReplicated(Collection<String> topics) throws Exception {
        try (Admin admin = admin()) {
            for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get().values()) {
                for (TopicPartitionInfo p : d.partitions()) {
                    if (p.isr().size() < p.replicas().size() || p.leader() == null) {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    /** How long the last start of each node took: until its port accepted connections, and until it was a registered broker. */
    private final Map<Integer, long[]> startTimes = new java.util.concurrent.ConcurrentHashMap<>();

    private void awaitReady(int id) {
        BrokerNode node = node(id);
        long start = System.nanoTime();
        long[] portOpen = {-1};
        Awaitility.await().alias("Kafka node " + id + " ready (log: " + node.log() + ")").atMost(START_TIMEOUT)
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    if (!node.isAlive()) {
                        throw new IllegalStateException("Kafka node " + id + " exited while starting; see " + node.log());
                    }
                    if (portOpen[0] < 0 && accepts(node.port())) {
                        portOpen[0] = System.nanoTime() - start;
                    }
                    return portOpen[0] >= 0 && registered(id);
                });
        startTimes.put(id, new long[] {portOpen[0], System.nanoTime() - start});
    }

    /** The last start of node {@code id}: seconds until its port accepted connections, and until it was a registered broker. */
    public String lastStart(int id) {
        long[] t = startTimes.get(id);
        return t == null ? "?" : String.format(java.util.Locale.ROOT, "port open after %.1f s, registered after %.1f s", t[0] / 1e9, t[1] / 1e9);
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket("localhost", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private boolean registered(int id) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + node(id).port());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (Admin admin = Admin.create(p)) {
            for (Node n : admin.describeCluster().nodes().get(5, TimeUnit.SECONDS)) {
                if (n.id() == id) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) { // not up yet: the caller polls again until its deadline
            return false;
        }
    }

    private BrokerNode node(int id) {
        if (id < 1 || id > nodes.size()) {
            throw new IllegalArgumentException("Invalid node id = " + id + ": the cluster has nodes 1 to " + nodes.size());
        }
        return nodes.get(id - 1);
    }

    /**
     * Kills the nodes and deletes their data (a full S7 leaves over a gigabyte of records, and a
     * run's figures never need them again); each node's log and configuration stay, and so does
     * the data of a node that would not die.
     */
    @Override
    public void close() throws InterruptedException {
        for (BrokerNode n : nodes) {
            n.kill();
        }
        for (BrokerNode n : nodes) {
            if (n.isAlive()) {
                System.err.println("Kafka node " + n.id() + " is still running: its data stays in " + n.data());
                continue;
            }
            try {
                LostDisk.deleteTree(n.data());
            } catch (IOException | RuntimeException e) {
                System.err.println("could not delete " + n.data() + ": " + e);
            }
        }
    }

    public Path dir() {
        return dir;
    }

    /** One Kafka node process. */
    private static final class BrokerNode {
        private final int id;
        private final int port;
        private final Path config;
        private final Path data;
        private final Path log;
        private Process process;

        BrokerNode(int id, int port, Path config, Path data, Path log) {
            this.id = id;
            this.port = port;
            this.config = config;
            this.data = data;
            this.log = log;
        }

        int id() {
            return id;
        }

        int port() {
            return port;
        }

        Path log() {
            return log;
        }

        /** The node's log directory (its records). */
        Path data() {
            return data;
        }

        synchronized void start() {
            if (isAlive()) {
                throw new IllegalStateException("Kafka node " + id + " is running already");
            }
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xms256m", "-Xmx768m", "-XX:+UseG1GC",
                    "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                    "-cp", System.getProperty("java.class.path"), KafkaNode.class.getName(), config.toString());
            try {
                process = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start Kafka node " + id, e);
            }
        }

        synchronized double cpuSeconds() {
            return process == null || !process.isAlive() ? Double.NaN : CpuTime.of(process.toHandle());
        }

        synchronized boolean isAlive() {
            return process != null && process.isAlive();
        }

        synchronized void stop() throws InterruptedException {
            if (isAlive()) {
                process.destroy();
                if (!process.waitFor(90, TimeUnit.SECONDS)) {
                    kill();
                }
            }
        }

        synchronized void kill() throws InterruptedException {
            if (process != null) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
