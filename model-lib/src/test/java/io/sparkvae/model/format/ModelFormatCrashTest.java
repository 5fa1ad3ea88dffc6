package io.sparkvae.model.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.vae.ParamInit;
import io.sparkvae.model.vae.ParamLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An overwriting save killed between its two renames: the previous model is still found and put
 * back.
 */
class ModelFormatCrashTest {
  @TempDir Path dir;

  static TrainedVae model(long seed) {
    VaeConfig c =
        VaeConfig.builder().inputDim(6).encoderHidden(4).decoderHidden(4).latentDim(2).build();
    return new TrainedVae(c, ParamInit.initialize(ParamLayout.of(c), seed), Map.of());
  }

  @Test
  void aModelRenamedAsideIsLoadedAndRestoredByTheNextSave() throws IOException {
    Path target = dir.resolve("vae");
    TrainedVae old = model(1);
    ModelFormat.save(old, target, false);
    // What the kill leaves: the old model renamed aside, the complete new one still in its
    // temporary.
    Files.move(target, dir.resolve(".vae.old-1f2e"));
    ModelFormat.save(model(2), dir.resolve("elsewhere"), false);
    Files.move(dir.resolve("elsewhere"), dir.resolve(".vae.tmp-3c4d"));

    assertArrayEquals(
        old.params(), ModelFormat.load(target).params(), "readers still find the previous model");
    TrainedVae next = model(3);
    ModelFormat.save(next, target, true);
    assertArrayEquals(next.params(), ModelFormat.load(target).params());
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(
          List.of(".vae.tmp-3c4d", "vae"),
          s.map(p -> p.getFileName().toString()).sorted().toList(),
          "the previous model was put back, then replaced; the dead run's temporary is not ours to judge");
    }
  }

  @Test
  void aSaveKilledBetweenItsRenamesIsLoadedAndRestoredByTheNextSave() throws IOException {
    Path target = dir.resolve("vae");
    TrainedVae old = model(1);
    ModelFormat.save(old, target, false);
    String id = "0f6c7a52-9a0e-4f43-8d0b-3b1f8c2d9e11";
    Files.move(target, dir.resolve("_replaced-vae-" + id));
    ModelFormat.save(model(2), dir.resolve("elsewhere"), false);
    Files.move(dir.resolve("elsewhere"), dir.resolve("_staging-vae-" + id));

    assertArrayEquals(
        old.params(), ModelFormat.load(target).params(), "readers still find the previous model");
    TrainedVae next = model(3);
    ModelFormat.save(next, target, true);
    assertArrayEquals(next.params(), ModelFormat.load(target).params());
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(
          List.of("vae"),
          s.map(p -> p.getFileName().toString()).sorted().toList(),
          "the previous model was put back, then replaced; this publisher's own leftovers are gone");
    }
  }
}
