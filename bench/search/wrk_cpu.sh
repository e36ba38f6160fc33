#!/bin/bash
# Runs a load generator and reports the CPU seconds the server (pid in $SERVER_PID_FILE,
# default /tmp/search-http-serve.pid) and the generator used, and how busy the whole machine was.
# usage: wrk_cpu.sh LABEL wrk-args...
label=$1; shift
spid=$(cat "${SERVER_PID_FILE:-/tmp/search-http-serve.pid}")
tick=$(getconf CLK_TCK)
s0=$(awk '{print $14+$15}' /proc/$spid/stat)
read -r _ u n s i w x y z _ < /proc/stat; t0=$((u+n+s+i+w+x+y+z)); b0=$((u+n+s+x+y+z))
/usr/bin/time -f "wrk_cpu_s %U user %S sys" "$@"
s1=$(awk '{print $14+$15}' /proc/$spid/stat)
read -r _ u n s i w x y z _ < /proc/stat; t1=$((u+n+s+i+w+x+y+z)); b1=$((u+n+s+x+y+z))
echo "$label server_cpu_s $(echo "scale=1; ($s1-$s0)/$tick" | bc) machine_busy_pct $(echo "scale=1; 100*($b1-$b0)/($t1-$t0)" | bc) load $(cat /proc/loadavg)"
