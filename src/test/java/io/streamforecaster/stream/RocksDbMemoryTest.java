package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * Every RocksDB store of the instance takes its block cache and memtable budget from one bound,
 * instead of a cache and memtables of its own each (Kafka Streams' default), which grow with the
 * number of tasks an instance holds.
 */
class RocksDbMemoryTest {

    @TempDir
    Path dir;

    @Test
    void shouldGiveEveryStoreTheOneSharedBoundedCache() throws Exception {
        RocksDB.loadLibrary();
        RocksDbMemory setter = new RocksDbMemory();
        Map<String, Object> configs = Map.of(RocksDbMemory.CONFIG, "64M");
        try (Options a = new Options().setCreateIfMissing(true); Options b = new Options().setCreateIfMissing(true)) {
            a.setTableFormatConfig(new BlockBasedTableConfig());
            b.setTableFormatConfig(new BlockBasedTableConfig());
            setter.setConfig("forecaster-series", a, configs);
            setter.setConfig("forecaster-models", b, configs);

            long bound = RocksDbMemory.bytes();
            assertTrue(bound == 64L << 20 || bound == RocksDbMemory.DEFAULT_BYTES, "the first store's bound, kept for the process: " + bound);
            assertTrue(((BlockBasedTableConfig) a.tableFormatConfig()).cacheIndexAndFilterBlocks());
            assertSame(a.writeBufferManager(), b.writeBufferManager(), "one memtable budget for all stores");
            // a store opens with it and writes through it
            try (RocksDB db = RocksDB.open(a, Files.createDirectories(dir.resolve("a")).toString())) {
                db.put("k".getBytes(), "v".getBytes());
                assertEquals("v", new String(db.get("k".getBytes())));
            }
            setter.close("forecaster-series", a);
            setter.setConfig("forecaster-series", a, configs); // reopened after a close: the same, still open
            assertSame(a.writeBufferManager(), b.writeBufferManager());
        }
    }

    @Test
    void shouldReadTheBoundAsTheSettingIsWritten() {
        assertEquals(256L << 20, RocksDbMemory.limit(Map.of()));
        assertEquals(300L << 20, RocksDbMemory.limit(Map.of(RocksDbMemory.CONFIG, "300M")));
        assertEquals(1L << 30, RocksDbMemory.limit(Map.of(RocksDbMemory.CONFIG, "1G")));
        assertEquals(RocksDbMemory.MIN_BYTES, RocksDbMemory.limit(Map.of(RocksDbMemory.CONFIG, "1K")));
    }
}
