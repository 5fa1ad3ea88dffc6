package io.sparkvae.model.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * model.json version 2 writes the architecture and the training settings: together, every
 * parameter.
 */
class VaeConfigParamsTest {
  @Test
  void everyParameterIsInExactlyOneSection() {
    List<ParamSpec<VaeConfig, VaeConfig.Builder, ?>> both =
        new ArrayList<>(VaeConfigParams.ARCHITECTURE);
    both.addAll(VaeConfigParams.TRAINING);
    assertEquals(both.size(), new HashSet<>(both).size(), "a parameter in both sections");
    assertEquals(
        new HashSet<>(VaeConfig.PARAMS),
        new HashSet<>(both),
        "a parameter in no section would be left out of model.json");
  }
}
