package io.streamforecaster.tools.nab;

/**
 * Python's {@code random} module (MT19937 seeded by {@code init_by_array}, 53-bit floats), enough
 * to replay NAB's {@code random} detector: {@code random.seed(42)} per file, then
 * {@code random.uniform(0, 1)} per record.
 */
final class PythonRandom {

    private static final int N = 624;
    private static final int M = 397;
    private final int[] mt = new int[N];
    private int index = N;

    PythonRandom(int seed) {
        // random.seed(int): the absolute value as an array of 32-bit words, here one
        initGenrand(19650218);
        int[] key = {Math.abs(seed)};
        int i = 1;
        int j = 0;
        for (int k = Math.max(N, key.length); k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1664525)) + key[j] + j;
            i++;
            j++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if (j >= key.length) {
                j = 0;
            }
        }
        for (int k = N - 1; k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1566083941)) - i;
            i++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = 0x80000000;
    }

    private void initGenrand(int s) {
        mt[0] = s;
        for (int i = 1; i < N; i++) {
            mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        }
    }

    private int next() {
        if (index >= N) {
            for (int k = 0; k < N; k++) {
                int y = (mt[k] & 0x80000000) | (mt[(k + 1) % N] & 0x7fffffff);
                mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
            }
            index = 0;
        }
        int y = mt[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    /** {@code random.random()}: a 53-bit float in [0, 1). */
    double random() {
        long a = (next() & 0xffffffffL) >>> 5;
        long b = (next() & 0xffffffffL) >>> 6;
        return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
    }
}
