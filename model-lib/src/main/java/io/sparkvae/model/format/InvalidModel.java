package io.sparkvae.model.format;

import java.io.IOException;

/** A problem in a model's content (not a failing store); its message already names the file. */
final class InvalidModel extends IOException {
  private static final long serialVersionUID = 1L;

  InvalidModel(String message) {
    super(message);
  }

  InvalidModel(String message, Throwable cause) {
    super(message, cause);
  }
}
