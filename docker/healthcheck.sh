#!/bin/sh
# The image's HEALTHCHECK: healthy on a 200 from liveness on the management port (9000 unless
# QUARKUS_MANAGEMENT_PORT moves it, as on a host network); a DOWN liveness (503) still lists the checks
# that are UP in its body, so only the status counts. Plain HTTP first; with the HTTP side's TLS on
# (README, "The HTTP side"), the port speaks HTTPS only, so HTTPS next. The certificate is not checked:
# the check asks its own process on the loopback, whose certificate names the pod's DNS names. Each
# attempt may take 1.4 s, both within the HEALTHCHECK's 3 s.
port="${QUARKUS_MANAGEMENT_PORT:-9000}"
curl --silent --fail --output /dev/null --max-time 1.4 "http://127.0.0.1:${port}/q/health/live" && exit 0
exec curl --silent --show-error --fail --output /dev/null --max-time 1.4 --insecure "https://127.0.0.1:${port}/q/health/live"
