import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * What identifies a process beyond its pid, so a later run can tell "that run is gone" from "that
 * pid is running": the host, the kernel's boot id (pids restart at every boot) and the process's
 * start time in clock ticks since boot (field 22 of /proc/<pid>/stat; a reused pid has another).
 */
export interface ProcessIdentity {
  hostname: string;
  pid: number;
  /** Field 22 of /proc/<pid>/stat, as a decimal string; null where /proc is not available. */
  startTime: string | null;
  bootId: string | null;
}

export interface ProcStat {
  /** R, S, D, Z (zombie), T, X (dead), … */
  state: string;
  ppid: number;
  pgrp: number;
  startTime: string;
}

/**
 * Parse /proc/<pid>/stat. The command name (field 2) is in parentheses and may itself hold spaces
 * and parentheses, so the fields are counted from the last ")".
 */
export function parseProcStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const rest = text.slice(close + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state); field 22 (starttime) is rest[19].
  if (rest.length < 20 || !/^\d+$/.test(rest[19])) return null;
  return { state: rest[0], ppid: Number(rest[1]), pgrp: Number(rest[2]), startTime: rest[19] };
}

/** /proc/<pid>/stat of a process on this host; null when it does not exist (or no /proc). */
export function readProcStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

let cachedBootId: string | null | undefined;
/** This boot's id (/proc/sys/kernel/random/boot_id); null where the kernel has none. */
export function bootId(): string | null {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      cachedBootId = null;
    }
  }
  return cachedBootId;
}

/** The identity of `pid` on this host, read now. */
export function processIdentity(pid: number = process.pid): ProcessIdentity {
  return { hostname: hostname(), pid, startTime: readProcStat(pid)?.startTime ?? null, bootId: bootId() };
}

export type Liveness =
  | { alive: true; reason: string }
  | { alive: false; reason: string }
  /** Another host: nothing here can tell. */
  | { alive: null; reason: string };

/**
 * Is the process a lock or a run state names still the one that wrote it? Dead when, on this host,
 * the boot id changed (rebooted since), the pid is not running, the pid runs a process that started
 * at another time (reused), or the process is a zombie (it has exited; only its parent has not
 * collected it yet). Where /proc is missing, falls back to signal 0.
 */
export function holderLiveness(holder: { hostname: string; pid: number; startTime?: string | null; bootId?: string | null }): Liveness {
  if (holder.hostname !== hostname()) return { alive: null, reason: `on another host (${holder.hostname})` };
  const here = bootId();
  if (holder.bootId && here && holder.bootId !== here) return { alive: false, reason: `the host rebooted since (boot id ${holder.bootId.slice(0, 8)}… is not this boot's)` };
  if (!signalZero(holder.pid)) return { alive: false, reason: `pid ${holder.pid} is not running` };
  const stat = readProcStat(holder.pid);
  if (!stat) return here ? { alive: false, reason: `pid ${holder.pid} is not running` } : { alive: true, reason: `pid ${holder.pid} is running` };
  if (stat.state === 'Z' || stat.state === 'X') return { alive: false, reason: `pid ${holder.pid} has exited (a zombie its parent has not reaped)` };
  if (holder.startTime && stat.startTime !== holder.startTime) return { alive: false, reason: `pid ${holder.pid} now belongs to another process (started at tick ${stat.startTime}, the holder at ${holder.startTime})` };
  return { alive: true, reason: `pid ${holder.pid} is running` };
}

function signalZero(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
