// Test helper: one stack file using every key of the Compose specification (valid, realistic values).
export const EVERYTHING_YAML = `
name: everything
services:
  base:
    image: busybox
  web:
    annotations: { com.example.a: "1" }
    attach: false
    blkio_config:
      weight: 300
      weight_device: [{ path: /dev/sda, weight: 400 }]
      device_read_bps: [{ path: /dev/sda, rate: 12mb }]
      device_write_iops: [{ path: /dev/sda, rate: 30 }]
    build:
      context: ./web
      dockerfile: Dockerfile.dev
      args: [NODE_ENV=development]
      ssh: [default]
      labels: { a: b }
      cache_from: [type=local,src=/tmp]
      cache_to: [type=local,dest=/tmp]
      no_cache: true
      additional_contexts: { shared: ../shared }
      network: host
      pull: "true"
      target: dev
      shm_size: 256m
      extra_hosts: ["db:10.0.0.2"]
      isolation: default
      privileged: false
      secrets: [npmrc]
      tags: [web:dev]
      ulimits: { nofile: 1024 }
      platforms: [linux/amd64]
      entitlements: [network.host]
    cap_add: [NET_ADMIN]
    cap_drop: [ALL]
    cgroup: private
    cgroup_parent: m-executor-abcd
    command: npm run dev
    configs: [app_config, { source: nginx_conf, target: /etc/nginx/nginx.conf, uid: "103", gid: "103", mode: 0440 }]
    container_name: web-dev
    cpu_count: 2
    cpu_percent: 50
    cpu_shares: "512"
    cpu_period: 100000
    cpu_quota: "50000"
    cpu_rt_period: 1400us
    cpu_rt_runtime: 11000
    cpus: "0.50"
    cpuset: "0-3"
    credential_spec: { config: my_credential_spec }
    depends_on:
      db: { condition: service_healthy, restart: true, required: false }
    deploy:
      mode: replicated
      replicas: "2"
      endpoint_mode: vip
      labels: [a=b]
      resources:
        limits: { cpus: "0.50", memory: 512M, pids: 100 }
        reservations:
          cpus: 0.25
          memory: 20m
          devices: [{ capabilities: [gpu], driver: nvidia, count: all }]
          generic_resources: [{ discrete_resource_spec: { kind: gpu, value: 2 } }]
      restart_policy: { condition: on-failure, delay: 5s, max_attempts: 3, window: 120s }
      update_config: { parallelism: 2, delay: 10s, order: start-first, failure_action: rollback, monitor: 1m, max_failure_ratio: 0.1 }
      rollback_config: { parallelism: 1, order: stop-first }
      placement: { constraints: [node.role==manager], preferences: [{ spread: node.labels.zone }], max_replicas_per_node: 1 }
    develop:
      watch:
        - { action: sync, path: ./src, target: /app/src, ignore: [node_modules/] }
        - { action: rebuild, path: package.json }
        - { action: sync+exec, path: ./conf, target: /etc/app, exec: { command: [kill, -HUP, "1"] } }
    device_cgroup_rules: ["c 1:3 mr"]
    devices: ["/dev/ttyUSB0:/dev/ttyUSB0", { source: /dev/sda, target: /dev/xvda, permissions: rwm }]
    dns: 8.8.8.8
    dns_opt: [use-vc]
    dns_search: [example.com]
    domainname: example.com
    entrypoint: [/docker-entrypoint.sh]
    env_file: [.env, { path: ./override.env, required: false, format: raw }]
    environment: { NODE_ENV: development, DEBUG: null, PORT: 3000, VERBOSE: true }
    expose: ["3000", 9229]
    extends: { service: base }
    external_links: [redis_1]
    extra_hosts: { somehost: 162.242.195.82, otherhost: ["50.31.209.229", "::1"] }
    gpus: all
    group_add: [mail, 1001]
    healthcheck: { test: [CMD, curl, -f, http://localhost], interval: 1m30s, timeout: 10s, retries: 3, start_period: 40s, start_interval: 5s }
    hostname: web
    init: true
    ipc: shareable
    isolation: default
    label_file: ./app.labels
    labels: [com.example.description=web]
    links: [db:database]
    logging: { driver: json-file, options: { max-size: 200k, max-file: 10 } }
    mac_address: 02:42:ac:11:65:43
    mem_limit: 512M
    mem_reservation: 20m
    mem_swappiness: 60
    memswap_limit: -1
    models: { llm: { endpoint_var: AI_URL } }
    networks:
      front:
        aliases: [www]
        ipv4_address: 172.16.238.10
        ipv6_address: 2001:3984:3989::10
        priority: 1000
        gw_priority: 1
        interface_name: eth1
        link_local_ips: [57.123.22.11]
        mac_address: 02:42:ac:11:65:44
        driver_opts: { com.docker.network.bridge.name: br0 }
      back:
    oom_kill_disable: "false"
    oom_score_adj: -500
    pid: host
    pids_limit: "100"
    platform: linux/amd64
    ports:
      - 3000
      - "127.0.0.1:8080:80/udp"
      - { target: 80, published: "8080-8081", host_ip: 127.0.0.1, protocol: tcp, mode: host, name: web, app_protocol: http }
    post_start: [{ command: ./seed.sh, user: root, privileged: true, environment: [A=1] }]
    pre_stop: [{ command: [./drain.sh] }]
    privileged: false
    profiles: [dev]
    provider: { type: model, options: { model: ai/smollm2, flags: [a, 1] } }
    pull_policy: every_12h
    pull_refresh_after: 24h
    read_only: true
    restart: on-failure:3
    runtime: runc
    scale: "3"
    secrets: [db_password, { source: api_key, target: /run/secrets/key, mode: 0400 }]
    security_opt: [label:user:USER]
    shm_size: 64m
    stdin_open: true
    stop_grace_period: 1m30s
    stop_signal: SIGUSR1
    storage_opt: { size: 1G }
    sysctls: { net.core.somaxconn: 1024 }
    tmpfs: [/run, /tmp:size=64m]
    tty: true
    ulimits: { nproc: 65535, nofile: { soft: 20000, hard: 40000 } }
    use_api_socket: true
    user: "1000:1000"
    userns_mode: host
    uts: host
    volumes:
      - ./data:/data:ro
      - { type: bind, source: ./conf, target: /conf, read_only: true, bind: { propagation: rshared, create_host_path: true, selinux: z, recursive: enabled } }
      - { type: volume, source: cache, target: /cache, volume: { nocopy: true, subpath: sub, labels: { a: b } } }
      - { type: tmpfs, target: /scratch, tmpfs: { size: 64m, mode: 1777 } }
      - { type: image, source: alpine, target: /img, image: { subpath: /etc } }
    volumes_from: ["db:ro"]
    working_dir: /app
    x-tsstack: { restart_on_unhealthy: true, watch: { trigger: manual } }
    x-custom: anything
  db:
    image: postgres:16
  sidecar:
    image: busybox
    network_mode: "service:db"
  inline:
    build:
      context: .
      dockerfile_inline: |
        FROM busybox
        CMD ["sleep", "3600"]
networks:
  front:
    driver: bridge
    driver_opts: { com.docker.network.bridge.enable_icc: "true", mtu: 1500 }
    ipam: { driver: default, config: [{ subnet: 172.16.238.0/24, ip_range: 172.16.238.0/25, gateway: 172.16.238.1, aux_addresses: { host1: 172.16.238.5 } }], options: { foo: bar } }
    attachable: true
    enable_ipv6: true
    enable_ipv4: true
    internal: false
    labels: [a=b]
  back:
  outside: { external: true, name: corp-net }
volumes:
  cache:
  data: { driver: local, driver_opts: { type: none, o: bind, device: /srv/data }, labels: { a: b } }
  old: { external: { name: legacy } }
  named: { name: custom-volume-name }
secrets:
  db_password: { file: ./db_password.txt }
  api_key: { environment: API_KEY }
  npmrc: { file: ~/.npmrc }
  ext: { external: true, name: prod_key }
  tls: { file: ./tls.pem, labels: { a: b }, driver: vault, driver_opts: { path: secret/tls }, template_driver: golang }
configs:
  app_config: { content: "debug=true" }
  nginx_conf: { file: ./nginx.conf, template_driver: golang }
  env_conf: { environment: APP_CONF, name: app-conf, labels: [a=b] }
  ext_conf: { external: true }
models:
  llm: { model: ai/smollm2, name: small, context_size: 1024, runtime_flags: [--no-prefill] }
include:
  - ./other/compose.yaml
  - { path: [./a.yaml, ./b.yaml], env_file: ./a.env, project_directory: ./a }
x-tsstack: { watch: { trigger: auto } }
x-common: &common { restart: always }
`;
