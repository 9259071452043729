# Sourced by bench/scale.sh and bench/compare.sh: the cluster and the service they deploy.
# write_scale_files DIR N M writes DIR/cluster.yml (M simulated agents of 64 cpus, 256 GiB,
# about 1 TB of disk and 2,000 ports; offers every 0.2 s) and DIR/svc.yml (N pods of one
# task, 0.01 cpus and 8 MB, all deployed in parallel, no readiness check).
write_scale_files() {
  printf 'heartbeat_interval_seconds: 5\noffer_interval_seconds: 0.2\nagents:\n  - name: sim\n    count: %d\n    simulated: true\n    resources: {cpus: 64, mem: 262144, disk: 1000000, ports: 31000-32999}\n' \
    "$3" >"$1/cluster.yml"
  printf 'name: scale\npods:\n  node:\n    count: %d\n    tasks:\n      server:\n        goal: RUNNING\n        cmd: sleep 100000\n        cpus: 0.01\n        memory: 8\nplans:\n  deploy:\n    phases:\n      node:\n        strategy: parallel\n        pod: node\n' \
    "$2" >"$1/svc.yml"
}
