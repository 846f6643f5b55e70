/** CPU accounting from /proc: the server, PostgreSQL, the load generator and each core. */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Cumulative CPU seconds at one instant (`at`, performance.now()). */
export interface Usage {
  server: number;
  /** The server's main (JavaScript) thread alone. */
  serverMain: number;
  pg: number;
  load: number;
  /** Busy CPU seconds of the whole machine, then of each core, from /proc/stat. */
  machine: number[];
  at: number;
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** utime+stime of a process (or, with `/task/<tid>`, one thread) in seconds, from /proc; 0 when it is gone. */
export function procCpu(pid: number | string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** Each PostgreSQL process's CPU seconds when last read (a backend that exits keeps its last reading). */
const seenPostgres = new Map<string, number>();

/**
 * CPU seconds of the PostgreSQL processes that serve the benchmark: the postmaster,
 * its auxiliary processes and the backends connected to `dbName` (not other
 * databases' backends on a shared server). Backends that have exited since an
 * earlier reading count as then, so the total never goes down when a pool closes
 * idle connections (their CPU after that reading is lost: a slight undercount).
 */
function postgresCpu(dbName: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      // A client backend reads "postgres: 15/main: <user> <database> <host>(<port>) <state>".
      const backend = /^postgres: [^:]+: \S+ (\S+) \S+\(\d+\)|^postgres: [^:]+: \S+ (\S+) \[local\]/.exec(cmdline);
      if (backend && (backend[1] ?? backend[2]) !== dbName) continue;
      const seconds = procCpu(Number(entry));
      if (seconds) seenPostgres.set(entry, seconds);
    } catch {
      // gone
    }
  }
  let total = 0;
  for (const seconds of seenPostgres.values()) total += seconds;
  return total;
}

/** Busy CPU seconds from /proc/stat: [whole machine, core 0, core 1, …]. */
export function machineCpu(): number[] {
  // cpuN  user nice system idle iowait irq softirq steal …
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((l) => /^cpu\d*\s/.test(l))
    .map((l) => {
      const f = l.trim().split(/\s+/).slice(1).map(Number);
      return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) / CLK_TCK;
    });
}

/** A reading now; the server counts as 0 when `serverPid` is undefined. */
export function usage(serverPid: number | undefined, dbName: string): Usage {
  const u = process.cpuUsage();
  return {
    server: serverPid ? procCpu(serverPid) : 0,
    serverMain: serverPid ? procCpu(`${serverPid}/task/${serverPid}`) : 0,
    pg: postgresCpu(dbName),
    load: (u.user + u.system) / 1e6,
    machine: machineCpu(),
    at: performance.now(),
  };
}

/** Shares of one core between two readings; coreBusy is [core 0, core 1]. */
export function cpuBetween(u0: Usage, u1: Usage) {
  const window = (u1.at - u0.at) / 1000;
  return {
    serverCpu: (u1.server - u0.server) / window,
    serverMainCpu: (u1.serverMain - u0.serverMain) / window,
    pgCpu: (u1.pg - u0.pg) / window,
    loadCpu: (u1.load - u0.load) / window,
    coreBusy: u1.machine.slice(1, 3).map((v, i) => (v - u0.machine[i + 1]!) / window),
  };
}
