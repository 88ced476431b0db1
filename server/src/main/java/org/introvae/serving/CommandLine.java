package org.introvae.serving;

import java.util.LinkedHashMap;
import java.util.Map;

/** "--name value" or "--name=value" options with defaults, for the small commands (Export, Serve, Sample). */
public final class CommandLine {
  private final Map<String, String> values;

  private CommandLine(Map<String, String> values) {
    this.values = values;
  }

  /**
   * Parses {@code args} against the known option names and their defaults (null = no default).
   * Returns null when --help was asked for. Throws IllegalArgumentException with a one-line message.
   */
  public static CommandLine parse(String[] args, Map<String, String> defaults) {
    Map<String, String> values = new LinkedHashMap<>(defaults);
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--help")) {
        return null;
      }
      String name = args[i].startsWith("--") ? args[i].substring(2) : null;
      int eq = name == null ? -1 : name.indexOf('=');
      if (eq >= 0) {
        String value = name.substring(eq + 1);
        name = name.substring(0, eq);
        if (!defaults.containsKey(name)) {
          throw new IllegalArgumentException("unknown option --" + name + " (see --help)");
        }
        values.put(name, value);
        continue;
      }
      if (name == null || !defaults.containsKey(name)) {
        throw new IllegalArgumentException("unknown option " + args[i] + " (see --help)");
      }
      boolean switchOption = "false".equals(defaults.get(name));
      if (switchOption && (i + 1 >= args.length || args[i + 1].startsWith("--"))) {
        values.put(name, "true"); // a switch given alone, as TF Serving's --enable_batching
        continue;
      }
      if (i + 1 >= args.length || (args[i + 1].startsWith("--") && defaults.containsKey(args[i + 1].substring(2)))) {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
      values.put(name, args[++i]);
    }
    return new CommandLine(values);
  }

  /** The value, or null if the option has no default and was not given. */
  public String get(String name) {
    return values.get(name);
  }

  public String required(String name) {
    String v = values.get(name);
    if (v == null) {
      throw new IllegalArgumentException("--" + name + " is required (see --help)");
    }
    return v;
  }

  public long whole(String name, long min, long max) {
    String v = required(name);
    try {
      long n = Long.parseLong(v);
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + ": '" + v + "' must be a whole number from " + min + " to " + max);
    }
  }
}
