package org.introvae.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.DataType;

/** Predict bodies read compactly: rectangular numeric arrays straight into one primitive array. */
class JsonNumbersTest {
  @Test
  void rectangular_numbers_become_one_array_and_the_rest_stays_lists() {
    Json.Numbers whole = (Json.Numbers) Json.parseNumeric("[[[1],[2]],[[3],[-4]]]");
    assertArrayEquals(new long[] {2, 2, 1}, whole.shape());
    assertArrayEquals(new long[] {1, 2, 3, -4}, whole.longs());
    assertNull(whole.doubles());
    Json.Numbers mixed = (Json.Numbers) Json.parseNumeric("[1, 2.5, 9007199254740993]");
    assertArrayEquals(new double[] {1, 2.5, 9007199254740993.0}, mixed.doubles());
    Object ragged = Json.parseNumeric("[[1,2],[3]]");
    assertTrue(ragged instanceof List<?> l && l.get(0) instanceof Json.Numbers, String.valueOf(ragged));
    assertEquals("[[1,2],[3]]", Json.write(ragged));
    assertTrue(Json.parseNumeric("[\"a\", 1]") instanceof List);
    assertEquals(Json.parse("{\"a\": [1, 2]}").toString(), "{a=[1, 2]}");
  }

  @Test
  void compact_and_boxed_bodies_give_the_same_tensors() {
    for (String body : new String[] {"[[0.5, 2, -3], [4, 5e-3, 6]]", "[[1,2,3],[4,5,6]]"}) {
      HostTensor compact = TensorJson.tensor("x", Json.parseNumeric(body), DataType.DT_FLOAT);
      HostTensor boxed = TensorJson.tensor("x", Json.parse(body), DataType.DT_FLOAT);
      assertArrayEquals(boxed.shape(), compact.shape());
      assertArrayEquals((float[]) boxed.values(), (float[]) compact.values());
    }
    HostTensor ints = TensorJson.tensor("i", Json.parseNumeric("[7, -8]"), DataType.DT_INT64);
    assertArrayEquals(new long[] {7, -8}, (long[]) ints.values());
    InvalidInput notWhole = org.junit.jupiter.api.Assertions.assertThrows(InvalidInput.class,
        () -> TensorJson.tensor("i", Json.parseNumeric("[7, 8.5]"), DataType.DT_INT32));
    assertTrue(notWhole.getMessage().contains("whole number"), notWhole.getMessage());
    InvalidInput ragged = org.junit.jupiter.api.Assertions.assertThrows(InvalidInput.class,
        () -> TensorJson.tensor("x", Json.parseNumeric("[[1,2],[3]]"), DataType.DT_FLOAT));
    assertTrue(ragged.getMessage().contains("ragged"), ragged.getMessage());
    @SuppressWarnings("unchecked")
    Map<String, Object> named = (Map<String, Object>) Json.parseNumeric("{\"instances\": [{\"a\": [1, 2]}, {\"a\": [3, 4]}]}");
    Json.Numbers stacked = Json.Numbers.stack(List.of(((Map<?, ?>) ((List<?>) named.get("instances")).get(0)).get("a"),
        ((Map<?, ?>) ((List<?>) named.get("instances")).get(1)).get("a")));
    assertArrayEquals(new long[] {2, 2}, stacked.shape());
  }

  /** Request bodies are parsed from their UTF-8 bytes: multi-byte characters, escapes and byte offsets. */
  @Test
  void utf8_bytes_parse_as_their_text() {
    String text = "{\"k\": \"h\u00e9llo \u2013 \u65e5\u672c \ud83d\ude00\", \"e\": \"\\u00e9\\n\\\"x\\\\\"}";
    Object fromBytes = Json.parse(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(Map.of("k", "h\u00e9llo \u2013 \u65e5\u672c \ud83d\ude00", "e", "\u00e9\n\"x\\"), fromBytes);
    assertEquals(fromBytes, Json.parse(text));
    // é is two bytes, so the x after it stands at byte 7 (character 6).
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Json.parse("[\"\u00e9\", x]".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertEquals("malformed JSON at offset 7: unexpected character 'x'", e.getMessage());
    // JSON's whitespace only (RFC 8259): a form feed between tokens is an error.
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Json.parse("[1,\f2]"));
    assertEquals(List.of(1L, 2L), Json.parse(" [1,\t\r\n2] "));
  }
}
