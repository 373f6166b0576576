package io.streamforecaster.stream;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * One bound for the RocksDB memory of every store of this instance: a block cache shared by all of
 * them, which also holds their index and filter blocks and is charged with their memtables.
 * Kafka Streams' default gives each store a cache of its own (50 MB) and up to three 16 MB
 * memtables, outside the heap and any JVM limit: two stores a task, so an instance that takes over
 * a dead one's partitions could need gigabytes more, and be killed for it when it is the last one
 * left. {@code forecaster.memory.rocksdb} sets the bound ({@value #DEFAULT_BYTES} bytes by default;
 * the image's entrypoint gives it a tenth of the container's memory).
 */
public class RocksDbMemory implements RocksDBConfigSetter {

    /** The Kafka Streams setting this setter reads its bound from (bytes). */
    static final String CONFIG = "forecaster.rocksdb.memory";
    static final long DEFAULT_BYTES = 256L << 20;
    /** The share of the bound the memtables may take. */
    static final double MEMTABLE_SHARE = 0.25;
    /** The share kept for index and filter blocks, which are read for every lookup. */
    static final double HIGH_PRIORITY_SHARE = 0.1;

    private static Cache cache;
    private static WriteBufferManager writeBuffers;
    private static long bytes;

    /** The shared cache and memtable budget, made at the first store's opening and kept for the life of the process. */
    static synchronized Cache cache(long limit) {
        if (cache == null) {
            bytes = limit;
            cache = new LRUCache(limit, -1, false, HIGH_PRIORITY_SHARE);
            writeBuffers = new WriteBufferManager((long) (limit * MEMTABLE_SHARE), cache);
            org.jboss.logging.Logger.getLogger(RocksDbMemory.class).infof(
                    "RocksDB memory: %d MiB shared by every store of this instance (forecaster.memory.rocksdb), memtables at most a quarter",
                    limit >> 20);
        }
        return cache;
    }

    /** The bound in use, or 0 before any store opened. */
    static synchronized long bytes() {
        return bytes;
    }

    /** The smallest bound: a few blocks and memtables of every store. */
    public static final long MIN_BYTES = 16L << 20;

    /** The bound set (a size such as {@code 256M}, as {@code forecaster.memory.rocksdb} is written), or the default. */
    static long limit(Map<String, Object> configs) {
        Object v = configs.get(CONFIG);
        if (v == null || v.toString().isBlank()) {
            return DEFAULT_BYTES;
        }
        return Math.max(MIN_BYTES, new io.quarkus.runtime.configuration.MemorySizeConverter().convert(v.toString().trim()).asLongValue());
    }

    /**
     * Each memtable's size: an eighth of the memtable budget, at most Kafka Streams' 16 MB. A
     * memtable in use holds at least one arena block (an eighth of its size), so with the default's
     * 16 MB, some 30 stores (15 tasks) would keep the budget full and force a flush at every write.
     */
    static long writeBufferBytes(long limit) {
        return Math.max(256L << 10, Math.min(16L << 20, (long) (limit * MEMTABLE_SHARE) / 8));
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        long limit = limit(configs);
        Cache shared = cache(limit);
        options.setWriteBufferSize(writeBufferBytes(bytes()));
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(shared);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setTableFormatConfig(table);
        synchronized (RocksDbMemory.class) {
            options.setWriteBufferManager(writeBuffers);
        }
    }

    @Override
    public void close(String storeName, Options options) {
        // the cache and the memtable budget are shared by every store of the process: never closed with one
    }
}
