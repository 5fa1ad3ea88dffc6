package io.sparkvae.spark.report;

import io.sparkvae.spark.train.EpochMetrics;
import java.awt.Color;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's XChart plots: the learning curve and the latent scatter. Points that are not finite
 * (a diverged epoch, a NaN posterior mean) are left out, because XChart cannot place them and a
 * single one would otherwise stretch or break the axes.
 */
final class Charts {
  /** matplotlib's tab10, which Pyro's tutorial plots use: ten colours told apart easily. */
  private static final Color[] PALETTE = {
    new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
    new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
    new Color(0xbcbd22), new Color(0x17becf)
  };

  /** Past ten labels the colours repeat, so the marker shape changes with each round of them. */
  private static final Marker[] MARKERS = {
    SeriesMarkers.CIRCLE,
    SeriesMarkers.SQUARE,
    SeriesMarkers.DIAMOND,
    SeriesMarkers.TRIANGLE_UP,
    SeriesMarkers.TRIANGLE_DOWN
  };

  /** More labels than this make a legend nobody can read: the points then share one colour. */
  static final int MAX_LABEL_SERIES = 20;

  /** The group key of points plotted without a label (any value would do: it is never shown). */
  private static final int ALL = 0;

  private Charts() {}

  /**
   * Training objective and validation negative ELBO against the epoch, or {@code null} when no
   * epoch has a finite value to plot.
   */
  static XYChart learningCurve(List<EpochMetrics> history, int width, int height) {
    XYChart chart =
        new XYChartBuilder()
            .width(width)
            .height(height)
            .title("Learning curve")
            .xAxisTitle("epoch")
            .yAxisTitle("-ELBO (nats per example)")
            .build();
    style(chart);
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    chart.getStyler().setMarkerSize(7);
    boolean any = addFinite(chart, "train", history, true, PALETTE[0]);
    any |= addFinite(chart, "validation", history, false, PALETTE[1]);
    return any ? chart : null;
  }

  private static boolean addFinite(
      XYChart chart, String name, List<EpochMetrics> history, boolean train, Color color) {
    int n = 0;
    double[] x = new double[history.size()];
    double[] y = new double[history.size()];
    for (EpochMetrics m : history) {
      double v = train ? m.trainNegElbo() : m.valNegElbo();
      if (Double.isFinite(v)) {
        x[n] = m.epoch();
        y[n] = v;
        n++;
      }
    }
    if (n == 0) {
      return false;
    }
    XYSeries s = chart.addSeries(name, Arrays.copyOf(x, n), Arrays.copyOf(y, n));
    s.setLineColor(color);
    s.setMarkerColor(color);
    s.setMarker(train ? SeriesMarkers.CIRCLE : SeriesMarkers.SQUARE);
    return true;
  }

  /**
   * A scatter of points on the latent plane, one series (one colour) per label when there are
   * labels and at most {@link #MAX_LABEL_SERIES} of them, or {@code null} when no point is finite.
   *
   * @param labels one label per point, or {@code null}
   */
  static XYChart latentScatter(
      LatentPlane plane, int[] labels, String title, int width, int height) {
    XYChart chart =
        new XYChartBuilder()
            .width(width)
            .height(height)
            .title(title)
            .xAxisTitle(plane.xTitle())
            .yAxisTitle(plane.yTitle())
            .build();
    style(chart);
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    chart.getStyler().setMarkerSize(4);
    boolean byLabel =
        labels != null && Arrays.stream(labels).distinct().count() <= MAX_LABEL_SERIES;
    TreeMap<Integer, int[]> groups = group(plane, byLabel ? labels : null);
    chart.getStyler().setLegendVisible(byLabel);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    int k = 0;
    for (var e : groups.entrySet()) {
      int[] members = e.getValue();
      double[] x = new double[members.length];
      double[] y = new double[members.length];
      for (int i = 0; i < members.length; i++) {
        x[i] = plane.x()[members[i]];
        y[i] = plane.y()[members[i]];
      }
      String name = byLabel ? String.valueOf(e.getKey()) : "test images";
      XYSeries s = chart.addSeries(name, x, y);
      s.setMarkerColor(PALETTE[k % PALETTE.length]);
      s.setMarker(MARKERS[(k / PALETTE.length) % MARKERS.length]);
      k++;
    }
    return k == 0 ? null : chart;
  }

  /**
   * Indices of the finite points by label, labels ascending, or all of them under one key when
   * {@code labels} is null.
   */
  private static TreeMap<Integer, int[]> group(LatentPlane plane, int[] labels) {
    int n = plane.x().length;
    boolean byLabel = labels != null;
    TreeMap<Integer, Integer> counts = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      if (finite(plane, i)) {
        counts.merge(byLabel ? labels[i] : ALL, 1, Integer::sum);
      }
    }
    TreeMap<Integer, int[]> groups = new TreeMap<>();
    Map<Integer, Integer> filled = new HashMap<>();
    counts.forEach((label, count) -> groups.put(label, new int[count]));
    for (int i = 0; i < n; i++) {
      if (finite(plane, i)) {
        int label = byLabel ? labels[i] : ALL;
        int at = filled.merge(label, 1, Integer::sum) - 1;
        groups.get(label)[at] = i;
      }
    }
    return groups;
  }

  private static boolean finite(LatentPlane plane, int i) {
    return Double.isFinite(plane.x()[i]) && Double.isFinite(plane.y()[i]);
  }

  private static void style(XYChart chart) {
    Styler s = chart.getStyler();
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setLegendBorderColor(Color.LIGHT_GRAY);
    s.setAntiAlias(true);
  }
}
