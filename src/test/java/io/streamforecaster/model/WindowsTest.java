package io.streamforecaster.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WindowsTest {

    @Test
    void shouldReproduceTheSeedsUnivariateTable() {
        Windows w = Windows.split(new double[] {10, 20, 30, 40, 50, 60, 70, 80, 90}, 3);

        assertEquals(6, w.count());
        double[][] expectedX = {{10, 20, 30}, {20, 30, 40}, {30, 40, 50}, {40, 50, 60}, {50, 60, 70}, {60, 70, 80}};
        double[] expectedY = {40, 50, 60, 70, 80, 90};
        for (int i = 0; i < 6; i++) {
            for (int t = 0; t < 3; t++) {
                assertArrayEquals(new double[] {expectedX[i][t]}, w.x()[i][t]);
            }
            assertArrayEquals(new double[] {expectedY[i]}, w.y()[i]);
        }
    }

    @Test
    void shouldReproduceTheSeedsMultiFeatureTable() {
        // np.arange(20).reshape(-1, 2), n_steps = 4
        double[][] rows = new double[10][];
        for (int r = 0; r < 10; r++) {
            rows[r] = new double[] {2 * r, 2 * r + 1};
        }

        Windows w = Windows.split(rows, 4);

        assertEquals(6, w.count());
        for (int i = 0; i < 6; i++) {
            assertEquals(4, w.x()[i].length);
            for (int t = 0; t < 4; t++) {
                assertArrayEquals(new double[] {2 * (i + t), 2 * (i + t) + 1}, w.x()[i][t]);
            }
            assertArrayEquals(new double[] {2 * (i + 4), 2 * (i + 4) + 1}, w.y()[i]);
        }
        assertArrayEquals(new double[] {0, 1}, w.x()[0][0]);
        assertArrayEquals(new double[] {18, 19}, w.y()[5]);
    }

    @Test
    void shouldGiveNoWindowsForASeriesNoLongerThanTheWindow() {
        assertEquals(0, Windows.split(new double[] {1, 2, 3}, 3).count());
    }
}
