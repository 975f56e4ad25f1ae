package io.github.loadstar.bench.report;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * Where and how a run was made — the header of its tables: the exact command, the date, the
 * machine (cores, processor model, memory, operating system). JMH's JSON holds the JDK but none of
 * these, so {@code BenchmarkMain} writes them beside the JSON file ({@link #sidecarOf}) when the run
 * starts, and the table tool reads them back; a JSON file without its sidecar is reported with
 * "not recorded" in their place, never with the machine the tables happen to be generated on.
 */
public record RunInfo(String command, String date, String cores, String cpu, String memory, String os) {
    private static final String NOT_RECORDED = "not recorded";

    /** Whether the machine and command were recorded (a sidecar was found). */
    public boolean recorded() {
        return !cores.equals(NOT_RECORDED);
    }

    /** The sidecar of a JSON result file: {@code x.json} (or {@code x.json.gz}) → {@code x.run.properties}. */
    public static Path sidecarOf(Path json) {
        String name = json.getFileName().toString();
        String base = name.endsWith(".json.gz") ? name.substring(0, name.length() - 8)
                : name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return json.resolveSibling(base + ".run.properties");
    }

    /** This machine, now, for {@code command}. */
    public static RunInfo ofThisMachine(String command) {
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                ManagementFactory.getOperatingSystemMXBean();
        return new RunInfo(command,
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")),
                Integer.toString(Runtime.getRuntime().availableProcessors()),
                cpuModel(),
                String.format(Locale.ROOT, "%.1f GiB", os.getTotalMemorySize() / (1024.0 * 1024 * 1024)),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
    }

    /** The sidecar of {@code json}, or a RunInfo saying nothing was recorded. */
    public static RunInfo readFor(Path json) throws IOException {
        Path sidecar = sidecarOf(json);
        if (!Files.exists(sidecar)) {
            return new RunInfo(NOT_RECORDED, NOT_RECORDED, NOT_RECORDED, NOT_RECORDED, NOT_RECORDED, NOT_RECORDED);
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(sidecar, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        return new RunInfo(p.getProperty("command", NOT_RECORDED), p.getProperty("date", NOT_RECORDED),
                p.getProperty("cores", NOT_RECORDED), p.getProperty("cpu", NOT_RECORDED),
                p.getProperty("memory", NOT_RECORDED), p.getProperty("os", NOT_RECORDED));
    }

    /** Writes this as the sidecar of {@code json}. */
    public void writeFor(Path json) throws IOException {
        Properties p = new Properties();
        p.setProperty("command", command);
        p.setProperty("date", date);
        p.setProperty("cores", cores);
        p.setProperty("cpu", cpu);
        p.setProperty("memory", memory);
        p.setProperty("os", os);
        Path sidecar = sidecarOf(json.toAbsolutePath());
        try (Writer out = Files.newBufferedWriter(sidecar, StandardCharsets.UTF_8)) {
            p.store(out, "Loadstar benchmark run: the machine and the command (read by BenchmarkTables)");
        }
    }

    private static String cpuModel() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            try {
                List<String> lines = Files.readAllLines(cpuinfo, StandardCharsets.UTF_8);
                for (String line : lines) {
                    if (line.startsWith("model name")) {
                        return line.substring(line.indexOf(':') + 1).trim();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // fall through to the JVM's description
            }
        }
        return System.getProperty("os.arch") + " (model unknown)";
    }
}
