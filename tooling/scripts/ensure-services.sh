#!/usr/bin/env bash
# Starts the local Redis and PostgreSQL that the service-backed test suites use, when they are
# installed but not running. Safe to run repeatedly. Missing servers are reported, not fatal:
# the suites then skip, unless AGENTVAULT_REQUIRE_SERVICES=1 makes them fail.
set -u

if command -v redis-cli >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null 2>&1; then
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  fi
fi

if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  fi
fi

for _ in $(seq 1 30); do
  redis_ok=0; pg_ok=0
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && redis_ok=1
  pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && pg_ok=1
  [ "$redis_ok" = 1 ] && [ "$pg_ok" = 1 ] && break
  sleep 1
done
echo "services: redis=$([ "${redis_ok:-0}" = 1 ] && echo up || echo down) postgres=$([ "${pg_ok:-0}" = 1 ] && echo up || echo down)"
