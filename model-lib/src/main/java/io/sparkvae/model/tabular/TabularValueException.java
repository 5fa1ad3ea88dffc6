package io.sparkvae.model.tabular;

/**
 * A value that no likelihood can use (an infinity, a value of the wrong type, a negative count):
 * the row is a bad row. The message starts with the column: "column 'delay' has the value Infinity:
 * ...". Missing values (null, NaN) are never this: they are masked.
 */
public final class TabularValueException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String column;

  /** A bad value of {@code column}; {@code problem} completes "column 'c' ...". */
  public TabularValueException(String column, String problem) {
    super("column '" + column + "' " + problem);
    this.column = column;
  }

  /** The column at fault. */
  public String column() {
    return column;
  }
}
