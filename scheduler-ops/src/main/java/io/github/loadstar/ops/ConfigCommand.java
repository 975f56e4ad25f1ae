package io.github.loadstar.ops;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * {@code loadstar config}: read the settings, or change them through the scheduler's validated
 * reconfiguration — all or nothing; a refused change exits with code 2 and changes nothing.
 */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Read or change the scheduler's settings (validated, all or nothing; a refused change exits 2).",
        subcommands = {ConfigCommand.Get.class, ConfigCommand.Set.class, ConfigCommand.Update.class})
final class ConfigCommand {

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Print the settings (all, or the ones named).")
    static final class Get extends SchedulerCommand {
        @Parameters(paramLabel = "NAME", arity = "0..*", description = "Settings to print (default: all).")
        List<String> names = new ArrayList<>();

        @Option(names = "--format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
        Format format;

        @Override
        int run(SchedulerClient client, PrintWriter out) {
            Map<String, String> all = client.settings();
            Map<String, String> chosen = new LinkedHashMap<>();
            for (String n : names) {
                if (!all.containsKey(n)) {
                    throw OpsException.refused("no setting named " + n + " (loadstar config get lists them)", null);
                }
                chosen.put(n, all.get(n));
            }
            if (names.isEmpty()) {
                chosen.putAll(all);
            }
            if (format == Format.json) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("version", client.settingsVersion());
                result.put("settings", chosen);
                printJson(out, result);
                return 0;
            }
            int w = chosen.keySet().stream().mapToInt(String::length).max().orElse(0);
            chosen.forEach((k, v) -> out.println(k + " ".repeat(w - k.length()) + " = " + v));
            return 0;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Set settings by name, all or nothing: loadstar config set stealThreshold=5 agingBoost=2")
    static final class Set extends SchedulerCommand {
        @Parameters(paramLabel = "NAME=VALUE", arity = "1..*", description = "The assignments.")
        List<String> assignments;

        @Override
        int run(SchedulerClient client, PrintWriter out) {
            Map<String, String> values = new LinkedHashMap<>();
            for (String a : assignments) {
                int eq = a.indexOf('=');
                if (eq <= 0) {
                    throw OpsException.refused("not a NAME=VALUE assignment: " + a, null);
                }
                if (values.put(a.substring(0, eq).trim(), a.substring(eq + 1).trim()) != null) {
                    throw OpsException.refused(a.substring(0, eq).trim() + " is assigned twice", null);
                }
            }
            return apply(client, values, out);
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Set settings from a JSON object, all or nothing: "
                    + "loadstar config update --config '{\"stealThreshold\": 5, \"agingBoost\": 2}'")
    static final class Update extends SchedulerCommand {
        @Option(names = "--config", required = true, paramLabel = "JSON", description = "A JSON object of settings.")
        String config;

        @Override
        int run(SchedulerClient client, PrintWriter out) {
            return apply(client, parse(config), out);
        }
    }

    /** A JSON object of settings as name → value text (numbers and booleans as written, strings unquoted). */
    static Map<String, String> parse(String json) {
        JsonNode node;
        try {
            node = SchedulerClient.JSON.readTree(json);
        } catch (JacksonException e) {
            throw OpsException.refused("--config: not JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw OpsException.refused("--config: not a JSON object of settings: " + json, null);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            JsonNode v = e.getValue();
            if (!v.isValueNode() || v.isNull()) {
                throw OpsException.refused("--config: " + e.getKey() + " must be a number, a string or a boolean: " + v, null);
            }
            values.put(e.getKey(), v.isString() ? v.asString() : v.toString());
        }
        if (values.isEmpty()) {
            throw OpsException.refused("--config: no settings given", null);
        }
        return values;
    }

    static int apply(SchedulerClient client, Map<String, String> values, PrintWriter out) {
        List<String> changed = client.updateSettings(values, SchedulerClient.actor("loadstar config"));
        long version = client.settingsVersion();
        if (changed.isEmpty()) {
            out.println("nothing changed (settings version " + version + ")");
        } else {
            Map<String, String> now = client.settings();
            out.println("changed (settings version " + version + "):");
            for (String c : changed) {
                out.println("  " + c + " = " + now.getOrDefault(c, values.getOrDefault(c, "")));
            }
        }
        return 0;
    }
}
