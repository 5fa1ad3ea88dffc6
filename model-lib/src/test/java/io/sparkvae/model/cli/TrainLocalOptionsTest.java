package io.sparkvae.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.config.ParamSpec;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.vae.KlEstimator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * TrainLocal's command line: the convention of train.sh (kebab-case, camelCase accepted), declared
 * options.
 */
class TrainLocalOptionsTest {
  static final PrintStream NOWHERE =
      new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

  @Test
  void optionsAndHyperparametersAreKebabCaseAndCamelCaseIsAccepted() {
    TrainLocal.Parsed p =
        TrainLocal.parse(
            new String[] {
              "--epochs",
              "3",
              "--model-out",
              "/tmp/m",
              "--latent-dim",
              "7",
              "--encoder-hidden=20,10",
              "--klEstimator",
              "analytic",
              "--iwae-samples",
              "5",
              "--trainLimit",
              "100"
            },
            NOWHERE);
    assertEquals(3, p.options().epochs());
    assertEquals("/tmp/m", p.options().modelOut());
    VaeConfig c = p.vae().build();
    assertEquals(7, c.latentDim());
    assertEquals(20, c.encoderHidden()[0]);
    assertEquals(KlEstimator.ANALYTIC, c.klEstimator());
    assertEquals(
        9,
        TrainLocal.parse(new String[] {"--latentDim", "8", "--latent-dim", "9"}, NOWHERE)
            .vae()
            .build()
            .latentDim(),
        "the last spelling wins");
  }

  @Test
  void badOptionsAreNamed() {
    assertEquals(
        "unknown option --latent_dim",
        assertThrows(
                IllegalArgumentException.class,
                () -> TrainLocal.parse(new String[] {"--latent_dim", "3"}, NOWHERE))
            .getMessage());
    assertEquals(
        "--epochs: invalid value for epochs: 0 (expected >= 1)",
        assertThrows(
                IllegalArgumentException.class,
                () -> TrainLocal.parse(new String[] {"--epochs", "0"}, NOWHERE))
            .getMessage());
    assertEquals(
        "--device: invalid value for device: tpu (expected cpu, gpu or gpu:N)",
        assertThrows(
                IllegalArgumentException.class,
                () -> TrainLocal.parse(new String[] {"--device", "tpu"}, NOWHERE))
            .getMessage());
    assertEquals(
        "option --seed needs a value",
        assertThrows(
                IllegalArgumentException.class,
                () -> TrainLocal.parse(new String[] {"--seed"}, NOWHERE))
            .getMessage());
  }

  @Test
  void helpListsEveryOptionInKebabCaseWithItsDocAndDefault() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    assertNull(
        TrainLocal.parse(
            new String[] {"--help"}, new PrintStream(bytes, true, StandardCharsets.UTF_8)));
    String help = bytes.toString(StandardCharsets.UTF_8);
    for (String option :
        new String[] {
          "--input",
          "--validation-input",
          "--epochs",
          "--model-out",
          "--threads",
          "--device",
          "--iwae-samples",
          "--train-limit"
        }) {
      assertTrue(help.contains("  " + option + " "), option + " in\n" + help);
    }
    for (ParamSpec<VaeConfig, VaeConfig.Builder, ?> p : VaeConfig.PARAMS) {
      assertTrue(
          help.contains("--" + io.sparkvae.model.config.ParamSchema.kebab(p.name()) + " ")
              && help.contains(p.doc()),
          p.name());
    }
    assertTrue(help.contains("default: 10; >= 1"), help);
  }
}
