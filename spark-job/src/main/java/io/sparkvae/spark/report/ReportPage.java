package io.sparkvae.spark.report;

import io.sparkvae.model.config.ParamSpec;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.format.TrainedVae;
import io.sparkvae.spark.train.EpochMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's {@code index.html}: one self-contained page (inline style, no script, nothing
 * fetched) with the final metrics, the pictures and the configuration, readable from a copied
 * folder or an object store's browser. Every value that came from outside is escaped.
 */
final class ReportPage {

  /**
   * A picture on the page.
   *
   * @param file its name, relative to the report folder
   * @param title a heading
   * @param caption one or two sentences saying what it shows
   * @param width its width in pixels
   * @param height its height in pixels
   * @param pixelated whether it is an image grid, to be enlarged without smoothing
   */
  record Figure(
      String file, String title, String caption, int width, int height, boolean pixelated) {}

  private static final String STYLE =
      String.join(
          "\n",
          "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#222;",
          "max-width:1000px;margin:2em auto;padding:0 1em;line-height:1.4}",
          "h1{margin-bottom:.2em}",
          "table{border-collapse:collapse;margin:.5em 0 1.5em}",
          "th,td{border:1px solid #ccc;padding:.25em .7em;text-align:left}",
          "th{background:#f4f4f4}",
          "td.num{text-align:right;font-variant-numeric:tabular-nums}",
          "figure{margin:2em 0}",
          "img{max-width:100%;height:auto;border:1px solid #eee}",
          "img.pixels{image-rendering:pixelated}",
          "figcaption{color:#555;margin-top:.4em}",
          "p.note{color:#555}");

  private ReportPage() {}

  /** Writes the page to {@code file}. */
  static void write(
      Path file,
      TrainedVae model,
      List<EpochMetrics> history,
      List<Figure> figures,
      List<String> notes)
      throws IOException {
    Files.writeString(file, html(model, history, figures, notes), StandardCharsets.UTF_8);
  }

  static String html(
      TrainedVae model, List<EpochMetrics> history, List<Figure> figures, List<String> notes) {
    EpochMetrics last = history.get(history.size() - 1);
    StringBuilder h = new StringBuilder(8192);
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>SparkVAE training report</title>\n<style>\n")
        .append(STYLE)
        .append("\n</style>\n</head>\n<body>\n<h1>SparkVAE training report</h1>\n");
    h.append("<p>A variational autoencoder with a ")
        .append(model.config().latentDim())
        .append("-dimensional latent space and ")
        .append(model.config().inputDim())
        .append(" inputs (")
        .append(escape(model.config().likelihood().configName()))
        .append(" likelihood), trained for ")
        .append(last.epoch())
        .append(last.epoch() == 1 ? " epoch" : " epochs")
        .append(". Losses are in nats per" + " example; lower is better.</p>\n");

    h.append("<h2>Final metrics</h2>\n<table>\n");
    row(h, "Epochs", Integer.toString(last.epoch()));
    row(h, "Final training objective (&minus;ELBO)", nats(last.trainNegElbo()));
    row(
        h,
        "Final validation &minus;ELBO",
        Double.isNaN(last.valNegElbo()) ? "no validation set" : nats(last.valNegElbo()));
    row(h, "Samples/s (last epoch)", rate(last.samplesPerSec()));
    double seconds = history.stream().mapToDouble(EpochMetrics::seconds).sum();
    long examples = history.stream().mapToLong(EpochMetrics::examples).sum();
    row(h, "Samples/s (all epochs)", seconds > 0 ? rate(examples / seconds) : "n/a");
    row(h, "Training time (s)", rate(seconds));
    row(h, "Optimizer steps", Long.toString(last.step()));
    h.append("</table>\n");

    for (String note : notes) {
      h.append("<p class=\"note\">").append(escape(note)).append("</p>\n");
    }
    for (Figure f : figures) {
      h.append("<figure>\n<h2>")
          .append(escape(f.title()))
          .append("</h2>\n<img src=\"")
          .append(escape(f.file()))
          .append("\" alt=\"")
          .append(escape(f.title()))
          .append("\" width=\"")
          .append(f.width())
          .append("\" height=\"")
          .append(f.height())
          .append('"')
          .append(f.pixelated() ? " class=\"pixels\"" : "")
          .append(">\n<figcaption>")
          .append(escape(f.caption()))
          .append("</figcaption>\n</figure>\n");
    }

    h.append("<h2>Configuration</h2>\n<table>\n");
    for (ParamSpec<VaeConfig, VaeConfig.Builder, ?> p : VaeConfig.PARAMS) {
      textRow(h, escape(p.name()), escape(shown(p, model.config())));
    }
    h.append("</table>\n");
    if (!model.metadata().isEmpty()) {
      h.append("<h2>Model metadata</h2>\n<table>\n");
      for (Map.Entry<String, String> e : model.metadata().entrySet()) {
        textRow(h, escape(e.getKey()), escape(e.getValue()));
      }
      h.append("</table>\n");
    }

    h.append(
        "<details>\n<summary>Every epoch</summary>\n<table>\n<tr><th>epoch</th>"
            + "<th>training objective</th><th>validation &minus;ELBO</th><th>samples/s</th>"
            + "<th>seconds</th><th>of which averaging</th><th>rounds</th><th>step</th></tr>\n");
    for (EpochMetrics m : history) {
      h.append("<tr><td class=\"num\">")
          .append(m.epoch())
          .append("</td><td class=\"num\">")
          .append(nats(m.trainNegElbo()))
          .append("</td><td class=\"num\">")
          .append(nats(m.valNegElbo()))
          .append("</td><td class=\"num\">")
          .append(rate(m.samplesPerSec()))
          .append("</td><td class=\"num\">")
          .append(rate(m.seconds()))
          .append("</td><td class=\"num\">")
          .append(rate(m.averagingSeconds()))
          .append("</td><td class=\"num\">")
          .append(m.rounds())
          .append("</td><td class=\"num\">")
          .append(m.step())
          .append("</td></tr>\n");
    }
    h.append("</table>\n</details>\n</body>\n</html>\n");
    return h.toString();
  }

  /** A loss in nats as the page shows it: two decimals, or "n/a" when it is not finite. */
  static String nats(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : "n/a";
  }

  /** A rate or a duration as the page shows it: one decimal, or "n/a" when it is not finite. */
  static String rate(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f", v) : "n/a";
  }

  /** Text made safe for HTML content and quoted attributes. */
  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** A table row of a number; both cells must already be HTML (escaped text or entities). */
  private static void row(StringBuilder h, String name, String value) {
    h.append("<tr><th>")
        .append(name)
        .append("</th><td class=\"num\">")
        .append(value)
        .append("</td></tr>\n");
  }

  /** A table row of text; both cells must already be HTML. */
  private static void textRow(StringBuilder h, String name, String value) {
    h.append("<tr><th>").append(name).append("</th><td>").append(value).append("</td></tr>\n");
  }

  /** A value as the report shows it: a list as [400, 200], anything else in its text form. */
  private static <T> String shown(ParamSpec<VaeConfig, VaeConfig.Builder, T> p, VaeConfig config) {
    T v = p.get(config);
    return v instanceof int[] a ? Arrays.toString(a) : p.format(v);
  }
}
