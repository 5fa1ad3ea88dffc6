package io.sparkvae.model.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The schema every config class shares, and the declarations it is made of. */
class ParamSchemaTest {
  /** A config with an int and an int list, its own builder. */
  static final class Conf {
    int n;
    int[] sizes;
  }

  static final ParamSpec<Conf, Conf, Integer> N =
      ParamSpecs.intAtLeast("n", "A count.", 2, 1, c -> c.n, (b, v) -> b.n = v);
  static final ParamSchema<Conf, Conf> SCHEMA =
      new ParamSchema<>(
          "test parameter",
          List.of(
              N,
              ParamSpecs.positiveIntList(
                  "sizes", "Sizes.", new int[] {4}, false, c -> c.sizes, (b, v) -> b.sizes = v)));

  static Conf conf() {
    Conf c = new Conf();
    SCHEMA.setDefaults(c);
    return c;
  }

  @Test
  void defaultsCopyEqualityAndDescription() {
    Conf a = conf();
    assertEquals(2, a.n);
    Conf b = new Conf();
    SCHEMA.copy(a, b);
    assertTrue(SCHEMA.sameValues(a, b));
    assertEquals(SCHEMA.hash(a), SCHEMA.hash(b));
    b.sizes = new int[] {4, 2};
    assertFalse(SCHEMA.sameValues(a, b));
    assertNotEquals(SCHEMA.hash(a), SCHEMA.hash(b));
    assertEquals("Conf{n=2, sizes=4,2}", SCHEMA.describe("Conf", b));
    assertEquals(List.of("n", "sizes"), List.copyOf(SCHEMA.toMap(b).keySet()));
  }

  @Test
  void namesAreLookedUpAndCheckedWithTheKindInTheMessage() {
    assertEquals(
        "unknown test parameter: m",
        assertThrows(IllegalArgumentException.class, () -> SCHEMA.param("m")).getMessage());
    Conf c = conf();
    SCHEMA.setAll(c, Map.of("n", 5L, "sizes", "3,1"), false);
    assertEquals(5, c.n);
    assertEquals(
        "missing test parameter: sizes",
        assertThrows(IllegalArgumentException.class, () -> SCHEMA.setAll(c, Map.of("n", 5), false))
            .getMessage());
    assertEquals(
        "unknown test parameter: m",
        assertThrows(IllegalArgumentException.class, () -> SCHEMA.setAll(c, Map.of("m", 5), true))
            .getMessage());
    assertEquals(
        "test parameter n is declared twice",
        assertThrows(
                IllegalStateException.class,
                () -> new ParamSchema<>("test parameter", List.of(N, N)))
            .getMessage());
  }

  @Test
  void aWholeNumberTooLargeForAnIntIsRefusedNotWrapped() {
    // A long of 2^32 + 1 once became the int 1, a valid count; a double beyond the int range became
    // Integer.MAX_VALUE.
    assertThrows(IllegalArgumentException.class, () -> N.setUntyped(new Conf(), 4_294_967_297L));
    assertThrows(IllegalArgumentException.class, () -> N.coerce(3_000_000_000L));
    assertThrows(IllegalArgumentException.class, () -> N.coerce(3e9));
    assertEquals(7, N.coerce(7.0));
  }

  @Test
  void aReboundDeclarationKeepsNameDocDefaultAndValidator() {
    int[] box = new int[1];
    ParamSpec<int[], int[], Integer> other = N.rebind(c -> c[0], (b, v) -> b[0] = v);
    assertEquals(N.name(), other.name());
    assertEquals(N.doc(), other.doc());
    assertEquals(N.defaultValue(), other.defaultValue());
    other.set(box, 9);
    assertEquals(9, box[0]);
    assertThrows(IllegalArgumentException.class, () -> other.set(box, 0));
    assertEquals(
        "invalid value for seed: 'x' (expected a 64-bit integer)",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    ParamSpecs.<long[], long[]>anyLong(
                            "seed", "A seed.", 0, c -> c[0], (b, v) -> b[0] = v)
                        .parse("x"))
            .getMessage());
  }
}
