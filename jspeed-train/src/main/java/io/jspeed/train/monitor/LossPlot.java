package io.jspeed.train.monitor;

import io.jspeed.model.format.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Renders the train/eval loss curves (and the unigram baseline) to a PNG, replaced atomically. */
public final class LossPlot {

    private LossPlot() {}

    public static void write(Path png, List<double[]> train, List<double[]> eval, double unigramBaseline) throws IOException {
        if (train.isEmpty()) return;
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(540).title("jspeed training loss")
                .xAxisTitle("step").yAxisTitle("cross-entropy (nats/token)").build();
        chart.getStyler().setMarkerSize(4);
        chart.addSeries("train", column(train, 0), column(train, 1)).setMarker(SeriesMarkers.NONE);
        if (!eval.isEmpty()) chart.addSeries("eval", column(eval, 0), column(eval, 1));
        if (unigramBaseline > 0) {
            double first = train.getFirst()[0], last = train.getLast()[0];
            chart.addSeries("unigram baseline", new double[] {first, Math.max(last, first + 1)}, new double[] {unigramBaseline, unigramBaseline})
                    .setMarker(SeriesMarkers.NONE);
        }
        byte[] bytes = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFiles.write(png, out -> out.write(bytes));
    }

    private static double[] column(List<double[]> rows, int c) {
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) out[i] = rows.get(i)[c];
        return out;
    }
}
