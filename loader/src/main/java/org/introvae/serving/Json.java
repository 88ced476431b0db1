package org.introvae.serving;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader and writer, so the loader needs nothing but TensorFlow Java. Objects read as
 * {@code LinkedHashMap<String, Object>}, arrays as {@code List<Object>}, integral numbers that fit as
 * {@code Long}, other numbers as {@code Double}.
 */
public final class Json {
  /** UTF-8: the parser reads the bytes a request body arrived as, without a String copy of them. */
  private final byte[] text;
  private final boolean numeric;
  private int pos;

  private Json(byte[] text, boolean numeric) {
    this.text = text;
    this.numeric = numeric;
  }

  /**
   * A rectangular array of numbers, read straight into one primitive array (row-major): 8 bytes a
   * number instead of a boxed number in a list. {@code longs} when every number is whole, else
   * {@code doubles}.
   */
  public record Numbers(long[] shape, long[] longs, double[] doubles) {
    public int size() {
      return longs != null ? longs.length : doubles.length;
    }

    public double get(int i) {
      return longs != null ? longs[i] : doubles[i];
    }

    /** Numbers (each a Long, Double or Numbers of one shape) stacked along a new first dimension; null if they are not. */
    static Numbers stack(List<Object> items) {
      if (items.isEmpty()) {
        return null;
      }
      long[] inner = null;
      boolean whole = true;
      int total = 0;
      for (Object item : items) {
        long[] shape;
        if (item instanceof Numbers n) {
          shape = n.shape();
          whole &= n.longs() != null;
          total += n.size();
        } else if (item instanceof Long || item instanceof Double) {
          shape = new long[0];
          whole &= item instanceof Long;
          total++;
        } else {
          return null;
        }
        if (inner == null) {
          inner = shape;
        } else if (!java.util.Arrays.equals(inner, shape)) {
          return null;
        }
      }
      long[] shape = new long[inner.length + 1];
      shape[0] = items.size();
      System.arraycopy(inner, 0, shape, 1, inner.length);
      long[] longs = whole ? new long[total] : null;
      double[] doubles = whole ? null : new double[total];
      int at = 0;
      for (Object item : items) {
        if (item instanceof Numbers n) {
          for (int i = 0; i < n.size(); i++, at++) {
            if (whole) {
              longs[at] = n.longs()[i];
            } else {
              doubles[at] = n.get(i);
            }
          }
        } else if (whole) {
          longs[at++] = (Long) item;
        } else {
          doubles[at++] = ((Number) item).doubleValue();
        }
      }
      return new Numbers(shape, longs, doubles);
    }

    /** Back to nested lists (for the rare values that are not tensors after all). */
    public List<Object> toList() {
      List<Object> out = new ArrayList<>();
      int per = size() / (int) shape[0];
      long[] inner = java.util.Arrays.copyOfRange(shape, 1, shape.length);
      for (int r = 0; r < shape[0]; r++) {
        if (inner.length == 0) {
          out.add(longs != null ? (Object) longs[r] : (Object) doubles[r]);
        } else {
          out.add(new Numbers(inner, longs == null ? null : java.util.Arrays.copyOfRange(longs, r * per, (r + 1) * per),
              doubles == null ? null : java.util.Arrays.copyOfRange(doubles, r * per, (r + 1) * per)).toList());
        }
      }
      return out;
    }
  }

  /** @throws IllegalArgumentException with the offset of the first problem */
  public static Object parse(String text) {
    return parse(text.getBytes(StandardCharsets.UTF_8), false);
  }

  /** {@link #parse} of UTF-8 bytes (offsets in errors count bytes). */
  public static Object parse(byte[] utf8) {
    return parse(utf8, false);
  }

  /** {@link #parse}, except that rectangular arrays of numbers are read as {@link Numbers}. */
  public static Object parseNumeric(String text) {
    return parse(text.getBytes(StandardCharsets.UTF_8), true);
  }

  /** {@link #parseNumeric} of UTF-8 bytes, such as a request body. */
  public static Object parseNumeric(byte[] utf8) {
    return parse(utf8, true);
  }

  private static Object parse(byte[] text, boolean numeric) {
    Json p = new Json(text, numeric);
    p.skip();
    Object value = p.value(0);
    p.skip();
    if (p.pos != text.length) {
      throw p.error("unexpected text after the JSON value");
    }
    return value;
  }

  /** A flat object's values as text (numbers as written by {@link #write}, strings unquoted). */
  public static Map<String, String> parseFlat(String text) {
    Object value = parse(text);
    if (!(value instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException("expected a JSON object");
    }
    Map<String, String> out = new LinkedHashMap<>();
    map.forEach((k, v) -> out.put((String) k, v == null ? null : v.toString()));
    return out;
  }

  private Object value(int depth) {
    if (depth > 64) {
      throw error("nested too deeply");
    }
    char c = peek();
    switch (c) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("unexpected character '" + c + "'");
    }
  }

  private Map<String, Object> object(int depth) {
    Map<String, Object> map = new LinkedHashMap<>();
    pos++;
    skip();
    if (peek() == '}') {
      pos++;
      return map;
    }
    while (true) {
      skip();
      if (peek() != '"') {
        throw error("expected a quoted key");
      }
      String key = string();
      skip();
      expect(':');
      skip();
      map.put(key, value(depth + 1));
      skip();
      char c = next();
      if (c == '}') {
        return map;
      }
      if (c != ',') {
        throw error("expected ',' or '}'");
      }
    }
  }

  private Object array(int depth) {
    List<Object> list = new ArrayList<>();
    pos++;
    skip();
    if (peek() == ']') {
      pos++;
      return list;
    }
    while (true) {
      skip();
      list.add(value(depth + 1));
      skip();
      char c = next();
      if (c == ']') {
        Numbers numbers = numeric ? Numbers.stack(list) : null;
        return numbers != null ? numbers : list;
      }
      if (c != ',') {
        throw error("expected ',' or ']'");
      }
    }
  }

  private String string() {
    expect('"');
    StringBuilder s = new StringBuilder();
    while (true) {
      // A run of plain bytes, decoded at once: the bytes of a multi-byte UTF-8 character are all
      // ≥ 0x80, so they are never a quote or a backslash.
      int start = pos;
      while (pos < text.length && text[pos] != '"' && text[pos] != '\\') {
        pos++;
      }
      s.append(new String(text, start, pos - start, StandardCharsets.UTF_8));
      char c = next();
      if (c == '"') {
        return s.toString();
      }
      if (c == '\\') {
        char e = next();
        switch (e) {
          case 'n' -> s.append('\n');
          case 't' -> s.append('\t');
          case 'r' -> s.append('\r');
          case 'b' -> s.append('\b');
          case 'f' -> s.append('\f');
          case 'u' -> {
            int value = 0;
            for (int k = 0; k < 4; k++) {
              int digit = pos + k < text.length ? Character.digit((char) (text[pos + k] & 0xff), 16) : -1;
              if (digit < 0) {
                pos -= 2;
                throw error("bad \\u escape (four hex digits expected)");
              }
              value = value * 16 + digit;
            }
            s.append((char) value);
            pos += 4;
          }
          default -> s.append(e);
        }
      }
    }
  }

  private Object number() {
    int start = pos;
    while (pos < text.length && "+-0123456789.eE".indexOf(text[pos]) >= 0) {
      pos++;
    }
    String n = new String(text, start, pos - start, StandardCharsets.ISO_8859_1);
    try {
      if (n.indexOf('.') < 0 && n.indexOf('e') < 0 && n.indexOf('E') < 0) {
        return Long.parseLong(n);
      }
      return Double.parseDouble(n);
    } catch (NumberFormatException e) {
      throw error("bad number '" + n + "'");
    }
  }

  private Object literal(String word, Object value) {
    for (int k = 0; k < word.length(); k++) {
      if (pos + k >= text.length || text[pos + k] != word.charAt(k)) {
        throw error("unexpected character '" + peek() + "'");
      }
    }
    pos += word.length();
    return value;
  }

  /** The byte at the position as a character: JSON's structure is ASCII. */
  private char peek() {
    if (pos >= text.length) {
      throw error("unexpected end of JSON");
    }
    return (char) (text[pos] & 0xff);
  }

  private char next() {
    char c = peek();
    pos++;
    return c;
  }

  private void expect(char c) {
    if (next() != c) {
      pos--;
      throw error("expected '" + c + "'");
    }
  }

  /** JSON's whitespace: space, tab, line feed, carriage return. */
  private void skip() {
    while (pos < text.length && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r')) {
      pos++;
    }
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException("malformed JSON at offset " + pos + ": " + what);
  }

  /** Compact JSON of maps, collections, arrays of numbers, numbers, strings, booleans and null. */
  public static String write(Object value) {
    StringBuilder s = new StringBuilder();
    write(value, s, -1);
    return s.toString();
  }

  /** Indented, one key per line; for files people read. */
  public static String writePretty(Object value) {
    StringBuilder s = new StringBuilder();
    write(value, s, 0);
    return s.append('\n').toString();
  }

  private static void write(Object v, StringBuilder s, int indent) {
    if (v == null) {
      s.append("null");
    } else if (v instanceof String str) {
      quote(str, s);
    } else if (v instanceof Float f) {
      number(f.doubleValue(), f.toString(), s);
    } else if (v instanceof Double d) {
      number(d, d.toString(), s);
    } else if (v instanceof Number || v instanceof Boolean) {
      s.append(v);
    } else if (v instanceof Map<?, ?> map) {
      s.append('{');
      int i = 0;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        s.append(i++ == 0 ? "" : ",");
        newline(s, indent >= 0 ? indent + 1 : -1);
        quote(String.valueOf(e.getKey()), s);
        s.append(indent >= 0 ? ": " : ":");
        write(e.getValue(), s, indent >= 0 ? indent + 1 : -1);
      }
      if (!map.isEmpty()) {
        newline(s, indent);
      }
      s.append('}');
    } else if (v instanceof Numbers numbers) {
      write(numbers.toList(), s, indent);
    } else if (v instanceof Iterable<?> list) {
      s.append('[');
      int i = 0;
      for (Object item : list) {
        s.append(i++ == 0 ? "" : ",");
        write(item, s, -1);
      }
      s.append(']');
    } else if (v instanceof float[] floats) {
      s.append('[');
      for (int i = 0; i < floats.length; i++) {
        s.append(i == 0 ? "" : ",");
        number(floats[i], Float.toString(floats[i]), s);
      }
      s.append(']');
    } else if (v instanceof Object[] items) {
      write(java.util.Arrays.asList(items), s, indent);
    } else {
      quote(v.toString(), s);
    }
  }

  private static void number(double value, String text, StringBuilder s) {
    if (Double.isFinite(value)) {
      s.append(text);
    } else {
      quote(text, s);
    }
  }

  private static void newline(StringBuilder s, int indent) {
    if (indent >= 0) {
      s.append('\n').append("  ".repeat(indent));
    }
  }

  private static void quote(String str, StringBuilder s) {
    s.append('"');
    for (char c : str.toCharArray()) {
      switch (c) {
        case '"' -> s.append("\\\"");
        case '\\' -> s.append("\\\\");
        case '\n' -> s.append("\\n");
        case '\r' -> s.append("\\r");
        case '\t' -> s.append("\\t");
        default -> {
          if (c < 0x20) {
            s.append(String.format("\\u%04x", (int) c));
          } else {
            s.append(c);
          }
        }
      }
    }
    s.append('"');
  }
}
