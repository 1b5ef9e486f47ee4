// nginx as the benchmark's physical-limit anchor: one worker process (like the single-threaded
// Node servers) that returns the same 202 and JSON body for `POST /queues/NAME`, from memory.
// Needs Debian's nginx (`make bench-deps`); the ingress benchmark skips it where absent.

import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Target } from '../support.js';
import { freePort } from '../../test/support/free-port.js';

const NGINX = '/usr/sbin/nginx';

export function hasNginx(): boolean {
  return spawnSync(NGINX, ['-v']).error === undefined;
}

/** Sums user and system CPU seconds of a process and its children (the nginx worker). */
function cpuSecondsOfTree(pid: number): number {
  const clockTicksPerSecond = 100;
  let pids = [pid];
  try {
    pids = pids.concat(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  } catch {
    // Without the children file only the master is counted, which understates nginx's cost.
  }
  let seconds = 0;
  for (const each of pids) {
    const stat = readFileSync(`/proc/${each}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    seconds += (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
  }
  return seconds;
}

export async function startNginx(): Promise<Target> {
  const directory = mkdtempSync(join(tmpdir(), 'sqs-accelerator-nginx-'));
  const port = await freePort();
  const config = `
worker_processes 1;
error_log ${directory}/error.log warn;
pid ${directory}/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  client_body_temp_path ${directory};
  server {
    listen 127.0.0.1:${port} reuseport;
    location /queues/ {
      default_type application/json;
      return 202 '{"id":"0","queue":"bench"}';
    }
  }
}
`;
  writeFileSync(join(directory, 'nginx.conf'), config);
  const child = spawn(NGINX, ['-p', directory, '-c', join(directory, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'inherit'] });

  // Wait until the port accepts connections.
  const deadline = Date.now() + 5000;
  for (;;) {
    const ready = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(true));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
    });
    if (ready) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`nginx did not start on port ${port}; see ${directory}/error.log`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return {
    port,
    process: child,
    cpuSeconds: () => cpuSecondsOfTree(child.pid as number),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
