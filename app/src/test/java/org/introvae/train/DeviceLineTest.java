package org.introvae.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.introvae.model.Placement;
import org.junit.jupiter.api.Test;

/** The start-up line says where the step runs, and says so when a GPU was asked for and the CPU runs it. */
class DeviceLineTest {
  @Test
  void aGpuThatIsNotThereIsNamed() {
    assertEquals("device gpu:1: /device:CPU:0 (no such GPU visible to TensorFlow: running on the CPU)",
        Trainer.deviceLine(Placement.parse("gpu:1", 1), List.of("/device:CPU:0"), 64));
    assertEquals("device gpu:0: /device:GPU:0", Trainer.deviceLine(Placement.parse("gpu", 1),
        List.of("/device:GPU:0"), 64));
  }

  @Test
  void replicasAreListedWithTheirShard() {
    assertEquals("device cpu: 2 replicas of 32 images: /device:CPU:0, /device:CPU:1",
        Trainer.deviceLine(Placement.parse("cpu", 2), List.of("/device:CPU:0", "/device:CPU:1"), 64));
  }
}
