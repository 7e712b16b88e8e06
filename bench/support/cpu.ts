// What the benches read of the machine's CPU: the whole machine's busy time (every core, every process,
// PostgreSQL's backends too) and, on Linux, each process's own.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** How long the machine's cores, all of them and for every process, have been busy: seconds. */
export const busySeconds = () =>
  cpus().reduce((sum, { times: t }) => sum + t.user + t.nice + t.sys + t.irq, 0) / 1000;

let clockTicks: number | undefined;

interface ProcessCpu {
  readonly name: string;
  readonly group: number;
  /** User and system time so far, all its threads: seconds. */
  readonly s: number;
}

/** One process's CPU so far, with its name and process group; undefined once it has ended. */
export function processCpu(pid: number): ProcessCpu | undefined {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // `pid (name) state ppid pgrp … utime stime …`: the name may hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    group: Number(fields[2]),
    s: (Number(fields[11]) + Number(fields[12])) / clockTicks,
  };
}

/** The CPU every process has used so far, by pid. */
export function cpuByProcess(): Map<number, ProcessCpu> {
  const processes = new Map<number, ProcessCpu>();
  for (const pid of readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)) {
    const cpu = processCpu(pid);
    if (cpu) processes.set(pid, cpu);
  }
  return processes;
}
