package io.sparkvae.spark.ml;

import io.sparkvae.model.config.ParamSpec;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.spark.train.DistributedConfig;
import io.sparkvae.spark.train.RunOptions;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The Spark {@code Param} objects of one stage, one per {@link ParamVocabulary} declaration, with
 * the declaration's doc, default and validator: {@code Integer} becomes an {@link IntParam}, {@code
 * Long} a {@link LongParam}, {@code Double} a {@link DoubleParam}, {@code Boolean} a {@link
 * BooleanParam}, {@code String} a {@code Param<String>} and {@code int[]} an {@link IntArrayParam}.
 *
 * <p>Create it in the stage's constructor after the stage's uid is assigned: a {@code Param} copies
 * its parent's uid when it is made, and Spark refuses to set a param whose parent is another uid.
 */
final class StageParams implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Map<String, Param<?>> byName = new LinkedHashMap<>();
  private final Param<?>[] array;

  /** Creates every param for {@code owner} and declares its default there. */
  StageParams(Params owner) {
    String uid = owner.uid();
    if (uid == null) {
      throw new IllegalStateException(
          "the stage's uid must be assigned before its params are created");
    }
    for (ParamVocabulary.Declaration d : ParamVocabulary.all()) {
      Param<?> p = create(owner, d);
      byName.put(d.name(), p);
      setDefault(owner, p, d.defaultValue());
    }
    // Spark's contract (ParamsSuite.checkParams, and Params.params found by reflection): by name.
    array =
        byName.values().stream()
            .sorted(java.util.Comparator.comparing(Param::name))
            .toArray(Param<?>[]::new);
  }

  private static Param<?> create(Params owner, ParamVocabulary.Declaration d) {
    Class<?> t = d.type();
    if (t == Integer.class) {
      return new IntParam(owner, d.name(), d.doc(), new DeclarationValidator<>(d.name()));
    } else if (t == Long.class) {
      return new LongParam(owner, d.name(), d.doc(), new DeclarationValidator<>(d.name()));
    } else if (t == Double.class) {
      return new DoubleParam(owner, d.name(), d.doc(), new DeclarationValidator<>(d.name()));
    } else if (t == Boolean.class) {
      // Spark's BooleanParam takes no validator; every boolean declaration accepts both values.
      return new BooleanParam(owner.uid(), d.name(), d.doc());
    } else if (t == String.class) {
      return new Param<>(
          owner.uid(), d.name(), d.doc(), new DeclarationValidator<String>(d.name()), String.class);
    } else if (t == int[].class) {
      return new IntArrayParam(owner, d.name(), d.doc(), new DeclarationValidator<>(d.name()));
    }
    throw new IllegalStateException(
        "no Spark param type for " + d.name() + " of type " + t.getName());
  }

  /** Every param, sorted by name (the array {@code Params.params()} returns). */
  Param<?>[] array() {
    return array.clone();
  }

  /**
   * The param called {@code name}.
   *
   * @throws IllegalArgumentException naming the unknown parameter and the known ones
   */
  Param<?> get(String name) {
    Param<?> p = byName.get(name);
    if (p == null) {
      ParamVocabulary.get(name); // throws with the list of names
    }
    return p;
  }

  /**
   * Converts, validates and sets a value given by name.
   *
   * @param trainingFixed reject VaeConfig, DistributedConfig and RunOptions parameters (a fitted
   *     model's)
   * @throws IllegalArgumentException naming the parameter when it is unknown, fixed, or the value
   *     is invalid
   */
  void set(Params owner, String name, Object value, boolean trainingFixed) {
    ParamVocabulary.Declaration d = ParamVocabulary.get(name);
    if (trainingFixed && d.kind() != ParamVocabulary.Kind.INFERENCE) {
      throw new IllegalArgumentException(
          name
              + " is a training parameter of a fitted model: its value is the one the model was"
              + " trained with and cannot change");
    }
    setUnchecked(owner, get(name), d.coerce(value));
  }

  /** The current value (set or default) of a param. */
  static Object value(Params owner, String name) {
    return owner.getOrDefault(owner.getParam(name));
  }

  /**
   * The current value (set or default) of the param {@code spec} declares, typed by the
   * declaration: a choice is read back from its text, an int list is a copy.
   */
  static <T> T value(Params owner, ParamSpec<?, ?, T> spec) {
    return ParamVocabulary.typedForm(spec, value(owner, spec.name()));
  }

  /**
   * The VAE configuration the params describe, with {@code inputDim} replaced.
   *
   * @throws IllegalArgumentException when the values break one of VaeConfig's cross-field rules
   */
  static VaeConfig vaeConfig(Params owner, int inputDim) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (var spec : VaeConfig.PARAMS) {
      values.put(spec.name(), value(owner, spec.name()));
    }
    values.put(ParamVocabulary.INPUT_DIM, inputDim);
    return VaeConfig.fromMap(values);
  }

  /** The distributed-training settings the params describe. */
  static DistributedConfig distributedConfig(Params owner) {
    DistributedConfig.Builder b = DistributedConfig.builder();
    for (var spec : DistributedConfig.PARAMS) {
      b.setValue(spec.name(), value(owner, spec.name()));
    }
    return b.build();
  }

  /**
   * The run's side outputs and starting point the params describe.
   *
   * @throws IllegalArgumentException when resume is set without a checkpoint directory
   */
  static RunOptions runOptions(Params owner) {
    RunOptions.Builder b = RunOptions.builder();
    for (var spec : RunOptions.PARAMS) {
      b.setValue(spec.name(), value(owner, spec.name()));
    }
    return b.build();
  }

  /** Sets every VaeConfig parameter of {@code owner} to {@code config}'s value. */
  static void setAll(Params owner, VaeConfig config) {
    for (ParamSpec<VaeConfig, VaeConfig.Builder, ?> spec : VaeConfig.PARAMS) {
      setUnchecked(owner, owner.getParam(spec.name()), sparkValue(spec, config));
    }
  }

  /** A config's value of {@code spec} in the form Spark holds it. */
  static <C, T> Object sparkValue(ParamSpec<C, ?, T> spec, C config) {
    return ParamVocabulary.sparkForm(spec, spec.get(config));
  }

  // Spark's Params.set and setDefault are typed Param<T>, T; our params are held as Param<?> and
  // their values were checked against the declaration's type, which is the param's type.
  @SuppressWarnings("unchecked")
  private static void setUnchecked(Params owner, Param<?> p, Object value) {
    owner.set((Param<Object>) p, value);
  }

  @SuppressWarnings("unchecked")
  private static void setDefault(Params owner, Param<?> p, Object value) {
    owner.setDefault((Param<Object>) p, value);
  }

  /**
   * Spark's {@code isValid} for a param: the declaration's validator. It holds only the name and
   * looks the declaration up when called, so a serialized param carries no lambda.
   */
  static final class DeclarationValidator<T> implements scala.Function1<T, Object>, Serializable {
    private static final long serialVersionUID = 1L;
    private final String name;

    DeclarationValidator(String name) {
      this.name = name;
    }

    @Override
    public Object apply(T value) {
      return ParamVocabulary.get(name).accepts(value);
    }
  }
}
