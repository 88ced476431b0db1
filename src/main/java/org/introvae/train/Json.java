package org.introvae.train;

import java.util.LinkedHashMap;
import java.util.Map;

/** The flat JSON objects this project writes (params.json, state.json): string, number and boolean values. */
public final class Json {
  private Json() {}

  public static String write(Map<String, ?> values) {
    StringBuilder s = new StringBuilder("{\n");
    int i = 0;
    for (Map.Entry<String, ?> e : values.entrySet()) {
      s.append("  ").append(quote(e.getKey())).append(": ").append(value(e.getValue()));
      s.append(++i < values.size() ? ",\n" : "\n");
    }
    return s.append("}\n").toString();
  }

  private static String value(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Number || v instanceof Boolean) {
      String text = v.toString();
      return text.equals("NaN") || text.contains("Infinity") ? quote(text) : text;
    }
    return quote(v.toString());
  }

  static String quote(String s) {
    StringBuilder q = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> q.append("\\\"");
        case '\\' -> q.append("\\\\");
        case '\n' -> q.append("\\n");
        case '\t' -> q.append("\\t");
        default -> {
          if (c < 0x20) {
            q.append(String.format("\\u%04x", (int) c));
          } else {
            q.append(c);
          }
        }
      }
    }
    return q.append('"').toString();
  }

  /** Parses a flat object; every value comes back as its text (numbers unchanged, strings unquoted). */
  public static Map<String, String> read(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    int[] pos = {skip(text, 0)};
    expect(text, pos, '{');
    pos[0] = skip(text, pos[0]);
    if (text.charAt(pos[0]) == '}') {
      return out;
    }
    while (true) {
      pos[0] = skip(text, pos[0]);
      String key = string(text, pos);
      pos[0] = skip(text, pos[0]);
      expect(text, pos, ':');
      pos[0] = skip(text, pos[0]);
      String value;
      if (text.charAt(pos[0]) == '"') {
        value = string(text, pos);
      } else {
        int start = pos[0];
        while (pos[0] < text.length() && ",} \n\r\t".indexOf(text.charAt(pos[0])) < 0) {
          pos[0]++;
        }
        value = text.substring(start, pos[0]);
      }
      out.put(key, value);
      pos[0] = skip(text, pos[0]);
      char c = text.charAt(pos[0]++);
      if (c == '}') {
        return out;
      }
      if (c != ',') {
        throw new IllegalArgumentException("expected ',' or '}' at offset " + (pos[0] - 1));
      }
    }
  }

  private static String string(String text, int[] pos) {
    expect(text, pos, '"');
    StringBuilder s = new StringBuilder();
    while (true) {
      char c = text.charAt(pos[0]++);
      if (c == '"') {
        return s.toString();
      }
      if (c == '\\') {
        char e = text.charAt(pos[0]++);
        switch (e) {
          case 'n' -> s.append('\n');
          case 't' -> s.append('\t');
          case 'u' -> {
            s.append((char) Integer.parseInt(text.substring(pos[0], pos[0] + 4), 16));
            pos[0] += 4;
          }
          default -> s.append(e);
        }
      } else {
        s.append(c);
      }
    }
  }

  private static void expect(String text, int[] pos, char c) {
    if (pos[0] >= text.length() || text.charAt(pos[0]) != c) {
      throw new IllegalArgumentException("expected '" + c + "' at offset " + pos[0]);
    }
    pos[0]++;
  }

  private static int skip(String text, int i) {
    while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
      i++;
    }
    return i;
  }
}
