#!/bin/bash
# (bash, not sh: Debian's sh, dash, drops environment variables whose names are not shell names, such
# as quarkus.tls.key-store.pem.0.cert, which Quarkus only reads under that very name; bash passes them on)
# Starts the service with JVM flags that fit the container's limits:
#   heap        HEAP_PERCENT (default 40) % of the memory limit
#   ND4J/JavaCPP off-heap OFFHEAP_PERCENT (default 25) %, and all native memory of the process
#               (heap included) below PHYSICAL_PERCENT (default 85) %, so the container is not OOM-killed
#   RocksDB     ROCKSDB_PERCENT (default 10) % for every store's block cache and memtables together
#               (forecaster.memory.rocksdb), unless FORECASTER_MEMORY_ROCKSDB is set
#   OpenMP      one thread per CPU of the limit (training is the only user), unless OMP_NUM_THREADS is set
# The limits come from MEMORY_LIMIT_BYTES / CPU_LIMIT (set by the Kubernetes manifests from the
# pod's resources) or else from the cgroup; without any limit the JVM's own defaults apply.
set -eu

memory_limit() {
  if [ -n "${MEMORY_LIMIT_BYTES:-}" ]; then echo "$MEMORY_LIMIT_BYTES"; return; fi
  for f in /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes; do
    if [ -r "$f" ]; then
      v=$(cat "$f")
      # "max" or a huge number means no limit
      if [ "$v" != "max" ] && [ "$v" -lt 1099511627776 ] 2>/dev/null; then echo "$v"; return; fi
    fi
  done
  echo ""
}

cpu_limit() {
  if [ -n "${CPU_LIMIT:-}" ]; then echo "$CPU_LIMIT"; return; fi
  quota=""; period=""
  if [ -r /sys/fs/cgroup/cpu.max ]; then
    read -r quota period < /sys/fs/cgroup/cpu.max
  elif [ -r /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then
    # cgroup v1 (hosts with hybrid cgroups): -1 means no quota
    quota=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)
    period=$(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)
  fi
  if [ "$quota" -gt 0 ] 2>/dev/null && [ "$period" -gt 0 ] 2>/dev/null; then
    echo $(( (quota + period - 1) / period )); return
  fi
  nproc
}

flags=""
limit=$(memory_limit)
if [ -n "$limit" ]; then
  heap=$(( limit / 100 * ${HEAP_PERCENT:-40} ))
  offheap=$(( limit / 100 * ${OFFHEAP_PERCENT:-25} ))
  physical=$(( limit / 100 * ${PHYSICAL_PERCENT:-85} ))
  flags="-Xmx${heap} -Dorg.bytedeco.javacpp.maxbytes=${offheap} -Dorg.bytedeco.javacpp.maxphysicalbytes=${physical}"
  rocksdb=$(( limit / 100 * ${ROCKSDB_PERCENT:-10} ))
  [ "$rocksdb" -ge 16777216 ] || rocksdb=16777216 # the service's least
  export FORECASTER_MEMORY_ROCKSDB="${FORECASTER_MEMORY_ROCKSDB:-$rocksdb}"
fi
cpus=$(cpu_limit)
[ "$cpus" -ge 1 ] 2>/dev/null || cpus=1
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$cpus}"

# JAVA_OPTS last, so a user's own flags win
exec java $flags -XX:ActiveProcessorCount="$cpus" -XX:+ExitOnOutOfMemoryError \
  -Djava.io.tmpdir=/tmp -Dorg.bytedeco.javacpp.cachedir=/var/cache/javacpp \
  ${JAVA_OPTS:-} -jar /app/quarkus-run.jar "$@"
