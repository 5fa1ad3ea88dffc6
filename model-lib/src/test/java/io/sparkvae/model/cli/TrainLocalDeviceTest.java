package io.sparkvae.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

/** {@code TrainLocal --device}: what gpu-check.sh relies on. */
class TrainLocalDeviceTest {
  @Test
  void cpuIsTheCpuAndAMissingGpuIsAnErrorNamingTheOptionAndTheBuild() {
    assertEquals(Device.cpu(), TrainLocal.device("cpu"));
    int gpus = Engine.getInstance().getGpuCount();
    String msg =
        assertThrows(IllegalArgumentException.class, () -> TrainLocal.device("gpu:" + gpus))
            .getMessage();
    assertTrue(
        msg.startsWith("--device gpu:" + gpus + ": this machine's PyTorch sees " + gpus + " GPUs"),
        msg);
    assertTrue(msg.contains("mvn -Pgpu package"), msg);
  }

  @Test
  void anUnknownDeviceIsAnErrorThatListsTheChoices() {
    String msg =
        assertThrows(IllegalArgumentException.class, () -> TrainLocal.device("tpu")).getMessage();
    assertEquals("invalid value for --device: 'tpu' (expected cpu, gpu or gpu:N)", msg);
    assertThrows(IllegalArgumentException.class, () -> TrainLocal.device("gpu:x"));
  }
}
