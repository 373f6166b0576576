#!/bin/sh
# Starts the service with JVM flags that fit the container's limits:
#   heap        HEAP_PERCENT (default 40) % of the memory limit
#   ND4J/JavaCPP off-heap OFFHEAP_PERCENT (default 25) %, and all native memory of the process
#               (heap included) below PHYSICAL_PERCENT (default 85) %, so the container is not OOM-killed
#   RocksDB     ROCKSDB_PERCENT (default 10) % for every store's block cache and memtables together
#               (forecaster.memory.rocksdb), unless FORECASTER_MEMORY_ROCKSDB is set
#   OpenMP      one thread per CPU of the limit (training is the only user), unless OMP_NUM_THREADS is set
# The limits are the smaller of MEMORY_LIMIT_BYTES / CPU_LIMIT (set by the Kubernetes manifests from
# the pod's resources: the node's capacity where the pod sets none) and the container's cgroup
# (CGROUP_ROOT, /sys/fs/cgroup); without any limit the JVM's own defaults apply.
set -eu

# The smaller of two limits, either of which may be empty (none).
smaller() {
  if [ -z "$1" ]; then echo "$2"; elif [ -z "$2" ] || [ "$1" -le "$2" ]; then echo "$1"; else echo "$2"; fi
}

cgroup=${CGROUP_ROOT:-/sys/fs/cgroup}

cgroup_memory() {
  for f in "$cgroup/memory.max" "$cgroup/memory/memory.limit_in_bytes"; do
    if [ -r "$f" ]; then
      v=$(cat "$f")
      # "max" or a huge number means no limit
      if [ "$v" != "max" ] && [ "$v" -lt 1099511627776 ] 2>/dev/null; then echo "$v"; return; fi
    fi
  done
  echo ""
}

cgroup_cpus() {
  quota=""; period=""
  if [ -r "$cgroup/cpu.max" ]; then
    read -r quota period < "$cgroup/cpu.max"
  elif [ -r "$cgroup/cpu/cpu.cfs_quota_us" ]; then
    # cgroup v1 (hosts with hybrid cgroups): -1 means no quota
    quota=$(cat "$cgroup/cpu/cpu.cfs_quota_us")
    period=$(cat "$cgroup/cpu/cpu.cfs_period_us")
  fi
  if [ "$quota" -gt 0 ] 2>/dev/null && [ "$period" -gt 0 ] 2>/dev/null; then
    echo $(( (quota + period - 1) / period )); return
  fi
  echo ""
}

# Kubernetes' downward API gives the node's capacity for a limit the pod does not set: the
# container's own cgroup limit wins when it is smaller.
memory_limit() {
  smaller "${MEMORY_LIMIT_BYTES:-}" "$(cgroup_memory)"
}

cpu_limit() {
  c=$(smaller "${CPU_LIMIT:-}" "$(cgroup_cpus)")
  if [ -n "$c" ]; then echo "$c"; else nproc; fi
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
