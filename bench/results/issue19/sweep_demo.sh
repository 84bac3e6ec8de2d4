#!/usr/bin/env bash
# issue 19 demonstration: the same sweep locally and through Redis (one worker), then compared
set -u
cd /work/frozen-sweep
P="node bin/pgvar.js"
ARGS="--envs CartPole-v1,Pendulum-v1 --estimators single,ac,mc --seeds 1-3 --steps 100k"
/usr/bin/time -f "local wall %e s" $P sweep $ARGS --out /work/sweep-demo/local --workers 1 --status-every 60 > /work/sweep-demo/local.log 2>&1
redis-server --port 6391 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes >/dev/null
sleep 0.5
setsid $P worker --queue redis://127.0.0.1:6391 --name w1 > /work/sweep-demo/worker.log 2>&1 &
W=$!
/usr/bin/time -f "queue wall %e s" $P sweep $ARGS --out /work/sweep-demo/queue --queue redis://127.0.0.1:6391 --status-every 60 > /work/sweep-demo/queue.log 2>&1
kill -TERM $W; sleep 3; redis-cli -p 6391 shutdown nosave >/dev/null 2>&1
echo finished > /work/sweep-demo/DONE
