package io.sparkvae.spark.report;

import io.sparkvae.model.tabular.TabularColumn;
import io.sparkvae.model.tabular.TabularSchema;
import io.sparkvae.spark.ml.VaeModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;

/**
 * The report of a tabular model's scores (what {@code submit-scripts/flights-example.sh} writes):
 * the training report's page (metrics, learning curve, configuration), then the per-column
 * contribution summary (mean negative log-likelihood of each column over every scored row, and how
 * often each column is the largest contribution of a flagged row) and, for every daily partition,
 * its most anomalous rows with the column that contributed most to each score.
 *
 * <p>Run through spark-submit: {@code TabularReport MODEL SCORES OUT [TOP]}; SCORES is ScoreJob's
 * output (partitioned by {@code run_date}, with {@code neg_elbo}, {@code column_nll} and the id
 * columns). OUT is created (it must not exist).
 */
public final class TabularReport {
  private TabularReport() {}

  /** Entry point. */
  public static void main(String[] args) throws IOException {
    SparkSession spark = SparkSession.builder().appName("sparkvae-tabular-report").getOrCreate();
    try {
      write(
          spark,
          VaeModel.load(args[0]),
          args[1],
          Path.of(args[2]),
          args.length > 3 ? Integer.parseInt(args[3]) : 5);
    } finally {
      spark.stop();
    }
  }

  /** Writes {@code out/index.html} and its learning curve. */
  public static void write(SparkSession spark, VaeModel model, String scores, Path out, int top)
      throws IOException {
    TabularSchema schema = model.tabular();
    if (schema == null) {
      throw new IllegalArgumentException("the model is not a tabular model (no inputCols)");
    }
    Files.createDirectories(out);
    List<ReportPage.Figure> figures = new ArrayList<>();
    XYChart curve = Charts.learningCurve(model.trainingHistory(), 800, 400);
    if (curve != null) {
      BitmapEncoder.saveBitmap(
          curve, out.resolve(TrainingReport.LEARNING_CURVE).toString(), BitmapFormat.PNG);
      figures.add(
          new ReportPage.Figure(
              TrainingReport.LEARNING_CURVE,
              "Learning curve",
              "The training objective and validation negative ELBO per epoch, nats per row.",
              800,
              400,
              false));
    }
    Dataset<Row> s = spark.read().parquet(scores);
    String page =
        ReportPage.html(
            model.trainedVae(),
            model.trainingHistory(),
            figures,
            List.of(
                "Negative log-likelihoods of numeric columns are densities of the standardised signed-log value"
                    + " (sign(x) log(1 + |x|)); count and categorical columns are probabilities. column_nll is"
                    + " evaluated at the posterior mean; neg_elbo adds the KL term and one sample's noise."));
    String extra = columnSummary(s, schema) + topPerDay(s, schema, top);
    Files.writeString(
        out.resolve("index.html"),
        page.replace("</body>", extra + "</body>"),
        StandardCharsets.UTF_8);
  }

  private static String columnSummary(Dataset<Row> s, TabularSchema schema) {
    List<Column> aggs = new ArrayList<>();
    for (TabularColumn c : schema.columns()) {
      aggs.add(functions.avg(functions.col("column_nll." + c.name())));
    }
    Row means = s.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).first();
    boolean flagged = List.of(s.columns()).contains("is_anomaly");
    long[] topCount = new long[schema.columns().size()];
    long flaggedRows = 0;
    if (flagged) {
      for (Row r : s.where("is_anomaly").select("column_nll").collectAsList()) {
        topCount[argmax(r.getStruct(0))]++;
        flaggedRows++;
      }
    }
    StringBuilder h =
        new StringBuilder(
            "<h2>Per-column contributions</h2>\n<p>Mean negative log-likelihood per"
                + " column over "
                + s.count()
                + " scored rows"
                + (flagged
                    ? ", and the share of the "
                        + flaggedRows
                        + " flagged rows (is_anomaly) whose largest contribution is the column"
                    : "")
                + ".</p>\n<table>\n"
                + "<tr><th>column</th><th>kind</th><th>mean nll (nats)</th>"
                + (flagged ? "<th>largest in flagged rows</th>" : "")
                + "</tr>\n");
    for (int j = 0; j < schema.columns().size(); j++) {
      TabularColumn c = schema.columns().get(j);
      h.append("<tr><td>")
          .append(ReportPage.escape(c.name()))
          .append("</td><td>")
          .append(c.kind().configName())
          .append("</td><td class=\"num\">")
          .append(ReportPage.nats(means.getDouble(j)))
          .append("</td>");
      if (flagged) {
        h.append("<td class=\"num\">")
            .append(
                String.format(
                    Locale.ROOT,
                    "%.1f %%",
                    flaggedRows == 0 ? 0.0 : 100.0 * topCount[j] / flaggedRows))
            .append("</td>");
      }
      h.append("</tr>\n");
    }
    return h.append("</table>\n").toString();
  }

  private static String topPerDay(Dataset<Row> s, TabularSchema schema, int top) {
    List<String> ids = new ArrayList<>();
    for (String c : s.columns()) {
      if (!List.of("z_mean", "z_std", "neg_elbo", "column_nll", "is_anomaly", "run_date")
          .contains(c)) {
        ids.add(c);
      }
    }
    Dataset<Row> ranked =
        s.where("neg_elbo is not null")
            .withColumn(
                "rank",
                functions
                    .row_number()
                    .over(Window.partitionBy("run_date").orderBy(functions.col("neg_elbo").desc())))
            .where("rank <= " + top)
            .orderBy("run_date", "rank");
    StringBuilder h =
        new StringBuilder(
            "<h2>Most anomalous rows per day</h2>\n<p>The "
                + top
                + " highest neg_elbo"
                + " of each daily partition, with the column that contributed most (its nll in nats).</p>\n<table>\n"
                + "<tr><th>run_date</th>");
    ids.forEach(c -> h.append("<th>").append(ReportPage.escape(c)).append("</th>"));
    h.append("<th>neg_elbo</th><th>largest contribution</th></tr>\n");
    for (Row r : ranked.collectAsList()) {
      h.append("<tr><td>").append(r.getAs("run_date").toString()).append("</td>");
      for (String c : ids) {
        Object v = r.getAs(c);
        h.append("<td>").append(ReportPage.escape(String.valueOf(v))).append("</td>");
      }
      Row nll = r.getStruct(r.fieldIndex("column_nll"));
      int j = argmax(nll);
      h.append("<td class=\"num\">")
          .append(ReportPage.nats(r.<Double>getAs("neg_elbo")))
          .append("</td><td>")
          .append(ReportPage.escape(schema.columns().get(j).name()))
          .append(" (")
          .append(ReportPage.nats(nll.getDouble(j)))
          .append(")</td></tr>\n");
    }
    return h.append("</table>\n").toString();
  }

  private static int argmax(Row nll) {
    int best = 0;
    for (int j = 1; j < nll.length(); j++) {
      if (!nll.isNullAt(j) && (nll.isNullAt(best) || nll.getDouble(j) > nll.getDouble(best))) {
        best = j;
      }
    }
    return best;
  }
}
