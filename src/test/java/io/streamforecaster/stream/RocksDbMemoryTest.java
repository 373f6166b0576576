package io.streamforecaster.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.apache.kafka.streams.state.internals.BlockBasedTableConfigWithAccessibleCache;
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
            // as Kafka Streams' RocksDBStore opens a store: its own table config with a cache of its own, then the setter
            a.setTableFormatConfig(new BlockBasedTableConfigWithAccessibleCache());
            b.setTableFormatConfig(new BlockBasedTableConfigWithAccessibleCache());
            setter.setConfig("forecaster-series", a, configs);
            setter.setConfig("forecaster-models", b, configs);

            assertEquals(64L << 20, RocksDbMemory.bytes(), "the bound set, kept for the process");
            var tableA = (BlockBasedTableConfigWithAccessibleCache) a.tableFormatConfig();
            var tableB = (BlockBasedTableConfigWithAccessibleCache) b.tableFormatConfig();
            assertSame(tableA.blockCache(), tableB.blockCache(), "one block cache for all stores");
            assertTrue(tableA.cacheIndexAndFilterBlocks(), "index and filter blocks in it, bounded with the rest");
            assertSame(a.writeBufferManager(), b.writeBufferManager(), "one memtable budget for all stores");
            assertEquals(RocksDbMemory.writeBufferBytes(64L << 20), a.writeBufferSize());
            assertEquals(2L << 20, a.writeBufferSize(), "an eighth of the memtables' quarter");
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
