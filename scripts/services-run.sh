#!/usr/bin/env bash
# services-run.sh — runs auth, geo, profile, rate and hotel from their jars on loopback
# (ports 8081..8085, static upstream addresses) until Ctrl-C, which stops them gracefully.
# Build first: mvn -pl services -amd install -DskipTests
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export BIND_ADDR=${BIND_ADDR:-127.0.0.1}
export AUTH_JWT_KEY=${AUTH_JWT_KEY:-local-demo-key-change-me-0123456789abcdef}
pids=()
for pair in auth:8081 geo:8082 profile:8083 rate:8084 hotel:8085; do
  name=${pair%%:*}; port=${pair#*:}
  PORT=$port java -jar "$root/services/$name/target/$name.jar" &
  pids+=($!)
done
trap 'kill -TERM "${pids[@]}" 2>/dev/null; wait' INT TERM
for port in 8081 8082 8083 8084 8085; do
  until curl -sf "http://$BIND_ADDR:$port/health/ready" >/dev/null; do sleep 0.2; done
done
echo "all five services ready; try:"
echo "  TOKEN=\$(curl -s -H 'content-type: application/json' -d '{\"username\":\"demo\",\"password\":\"bellhop-demo\"}' http://$BIND_ADDR:8081/Auth.Login | sed 's/.*\"token\":\"\\([^\"]*\\)\".*/\\1/')"
echo "  curl -s -H \"Authorization: Bearer \$TOKEN\" -H 'content-type: application/json' -d '{\"inDate\":\"2026-12-10\",\"outDate\":\"2026-12-12\"}' http://$BIND_ADDR:8085/Hotel.Rates"
wait
