package io.github.loadstar.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Jain's index, variance and CoV obey their definitions (Jain, Chiu, Hawe 1984). */
final class FairnessTest {

    private static double[] array(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void jainIsBetweenOneOverNAndOneAndScaleInvariant() {
        qt().withFixedSeed(3L).withExamples(2000)
                .forAll(lists().of(doubles().between(0, 1e6)).ofSizeBetween(1, 64), doubles().between(1e-3, 1e3))
                .checkAssert((xs, scale) -> {
                    double[] x = array(xs);
                    double j = Fairness.jainIndex(x);
                    assertTrue(j >= 1.0 / x.length - 1e-12 && j <= 1.0 + 1e-12, "J = " + j);
                    double[] scaled = x.clone();
                    for (int i = 0; i < scaled.length; i++) {
                        scaled[i] *= scale;
                    }
                    assertEquals(j, Fairness.jainIndex(scaled), 1e-9, "J(cx) = J(x)");
                });
    }

    @Test
    void jainEqualsOneOverOnePlusTheSquaredCoefficientOfVariation() {
        qt().withFixedSeed(4L).withExamples(2000)
                .forAll(lists().of(doubles().between(0.001, 1e6)).ofSizeBetween(1, 64))
                .checkAssert(xs -> {
                    double[] x = array(xs);
                    double cov = Fairness.coefficientOfVariation(x);
                    assertEquals(1.0 / (1.0 + cov * cov), Fairness.jainIndex(x), 1e-9);
                });
    }

    @Test
    void knownValues() {
        assertEquals(1.0, Fairness.jainIndex(new double[] {5, 5, 5, 5}), 1e-12, "equal shares");
        assertEquals(0.5, Fairness.jainIndex(new double[] {3, 3, 0, 0}), 1e-12, "k of n share equally: k/n");
        assertEquals(0.25, Fairness.jainIndex(new double[] {7, 0, 0, 0}), 1e-12, "one takes all: 1/n");
        assertEquals(2.0, Fairness.variance(new double[] {1, 2, 3, 4, 5}), 1e-12);
        assertEquals(Math.sqrt(2.0) / 3.0, Fairness.coefficientOfVariation(new double[] {1, 2, 3, 4, 5}), 1e-12);
    }

    @Test
    void emptyAndZeroSamplesAreDefined() {
        assertEquals(1.0, Fairness.jainIndex(new double[0]));
        assertEquals(1.0, Fairness.jainIndex(new double[] {0, 0, 0}));
        assertEquals(0.0, Fairness.variance(new double[0]));
        assertEquals(0.0, Fairness.coefficientOfVariation(new double[0]));
        assertEquals(0.0, Fairness.coefficientOfVariation(new double[] {0, 0}));
        assertEquals(1.0, Fairness.jainIndex(new double[] {42}), "a single agent is perfectly fair");
    }
}
