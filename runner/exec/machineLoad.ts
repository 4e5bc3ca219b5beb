/**
 * What the machine was doing while a config ran, read by the parent before the config starts and after its child
 * has exited (never inside a timed region): the load average, the share of all cores' time that other processes
 * used (all busy CPU time in /proc/stat, less this process's and its reaped children's from /proc/self/stat), the
 * share stolen by a hypervisor (/proc/stat's steal), and thermal throttle events where the kernel counts them. On
 * macOS only the load average is readable (os.loadavg()); the rest is null. The platform's facts are injectable.
 * Whether a reading counts as a busy machine is stats/machineBusy.ts's (the report and compare judge it too).
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import type { MachineLoad } from "../results.ts";

/** Where the readings come from; tests pass their own. */
export interface LoadFacts {
    platform: NodeJS.Platform;
    cores: number;
    /** A file's text, or null when it cannot be read. */
    read(path: string): string | null;
    loadavg(): number[];
}

export const systemFacts: LoadFacts = {
    platform: process.platform,
    cores: os.availableParallelism(),
    read: (path) => {
        try {
            return readFileSync(path, "utf8");
        } catch {
            return null;
        }
    },
    loadavg: () => os.loadavg()
};

/** A reading at one moment; two make a `MachineLoad`. */
export interface LoadSnapshot {
    /** /proc/stat's aggregate: busy and total jiffies, steal jiffies. */
    cpu: { busy: number; total: number; steal: number } | null;
    /** This process's and its reaped children's CPU time, jiffies. */
    own: number | null;
    throttle: number | null;
}

export function snapshotLoad(facts: LoadFacts = systemFacts): LoadSnapshot {
    if (facts.platform !== "linux") return { cpu: null, own: null, throttle: null };
    return { cpu: procStat(facts.read("/proc/stat")), own: selfStat(facts.read("/proc/self/stat")), throttle: throttleCount(facts) };
}

/** What happened between two snapshots. */
export function machineLoad(before: LoadSnapshot, after: LoadSnapshot, facts: LoadFacts = systemFacts): MachineLoad {
    const load = facts.loadavg()[0];
    const out: MachineLoad = { loadAverage: load == null || !Number.isFinite(load) ? null : round(load), cores: facts.cores, othersCpu: null, steal: null, throttleEvents: null };
    if (before.cpu != null && after.cpu != null) {
        const total = after.cpu.total - before.cpu.total;
        if (total > 0) {
            out.steal = round((after.cpu.steal - before.cpu.steal) / total);
            if (before.own != null && after.own != null) {
                const others = after.cpu.busy - before.cpu.busy - (after.own - before.own);
                out.othersCpu = round(Math.min(1, Math.max(0, others / total)));
            }
        }
    }
    if (before.throttle != null && after.throttle != null) out.throttleEvents = Math.max(0, after.throttle - before.throttle);
    return out;
}

function procStat(text: string | null): LoadSnapshot["cpu"] {
    const line = text?.split("\n").find((l) => l.startsWith("cpu "));
    if (line == null) return null;
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
    if (![user, nice, system, idle, iowait, irq, softirq, steal].every(Number.isFinite)) return null;
    const busy = user + nice + system + irq + softirq;
    return { busy, total: busy + idle + iowait + steal, steal };
}

/** utime + stime + cutime + cstime (fields 14–17) of /proc/self/stat; the command name may hold spaces. */
function selfStat(text: string | null): number | null {
    if (text == null) return null;
    const fields = text.slice(text.lastIndexOf(")") + 2).trim().split(/\s+/);
    // fields[0] is field 3 (state): field n is fields[n − 3]
    const sum = [14, 15, 16, 17].map((n) => Number(fields[n - 3])).reduce((s, x) => s + x, 0);
    return Number.isFinite(sum) ? sum : null;
}

function throttleCount(facts: LoadFacts): number | null {
    let sum = 0;
    let any = false;
    for (let cpu = 0; cpu < facts.cores; cpu++) {
        const text = facts.read(`/sys/devices/system/cpu/cpu${cpu}/thermal_throttle/core_throttle_count`);
        const n = text == null ? Number.NaN : Number(text.trim());
        if (Number.isFinite(n)) {
            sum += n;
            any = true;
        }
    }
    return any ? sum : null;
}

function round(x: number): number {
    return Math.round(x * 1000) / 1000;
}
