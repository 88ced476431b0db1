package org.introvae.commandline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ToolOptionsTest {
  @Test
  void a_list_of_whole_numbers_parses_with_spaces_after_commas() {
    assertArrayEquals(new int[] {64, 128}, ToolOptions.wholes("--widths", "64, 128", 1, 8192));
    assertArrayEquals(new int[] {7}, ToolOptions.wholes("--widths", "7", 1, 8192));
  }

  @Test
  void every_malformed_or_out_of_range_list_gets_the_same_one_line_error() {
    for (String bad : new String[] {"", " ", "64,", ",64", "64,,128", "64,x", "0,64", "64,8193", "1.5", "99999999999"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ToolOptions.wholes("--widths", bad, 1, 8192), bad);
      assertEquals("--widths: '" + bad + "' must be whole numbers from 1 to 8192 separated by commas", e.getMessage());
    }
  }
}
