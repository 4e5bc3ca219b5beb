/** machineLoad: the load around a config from /proc (facts injected), and when it counts as a busy machine. */
import { describe, expect, it } from "vitest";
import { machineLoad, snapshotLoad, type LoadFacts } from "../../runner/exec/machineLoad.ts";
import { busyReason } from "../../runner/stats/machineBusy.ts";

function facts(stat: string, self: string, load: number, files: Record<string, string> = {}): LoadFacts {
    const all = new Map<string, string>([["/proc/stat", stat], ["/proc/self/stat", self], ...Object.entries(files)]);
    return { platform: "linux", cores: 2, read: (p) => all.get(p) ?? null, loadavg: () => [load, 0, 0] };
}
// /proc/self/stat: the name may hold spaces and parentheses; utime stime cutime cstime are fields 14–17
const self = (own: number) => `123 (node (x) y) S ${Array.from({ length: 10 }, () => "0").join(" ")} ${own} 0 0 0 20 0`;

describe("machineLoad", () => {
    it("others' CPU = busy jiffies less this process tree's, as a share of all; steal as a share; throttle events", () => {
        const before = snapshotLoad(facts("cpu  100 0 50 800 0 0 0 50\ncpu0 1 2 3", self(40), 1,
            { "/sys/devices/system/cpu/cpu0/thermal_throttle/core_throttle_count": "3\n" }));
        // 400 jiffies pass: busy +300 (user 250, system 50), idle +60, steal +40; our process tree used 100 of them
        const afterFacts = facts("cpu  350 0 100 860 0 0 0 90", self(140), 3.1, { "/sys/devices/system/cpu/cpu0/thermal_throttle/core_throttle_count": "5" });
        const load = machineLoad(before, snapshotLoad(afterFacts), afterFacts);
        expect(load).toEqual({ loadAverage: 3.1, cores: 2, othersCpu: 0.5, steal: 0.1, throttleEvents: 2 });
        expect(busyReason(load)).toBe("load 3.1 on 2 cores, other processes used 50 % of the CPU, 10 % of the CPU stolen by the hypervisor, 2 thermal throttle event(s)");
    });

    it("a quiet machine is not busy; without /proc (macOS) a load average above the cores is the sign", () => {
        expect(busyReason({ loadAverage: 1.2, cores: 2, othersCpu: 0.05, steal: 0, throttleEvents: null })).toBeNull();
        // others' share below the line: a high load average alone (our own child, a waiting process) does not count
        expect(busyReason({ loadAverage: 2.5, cores: 2, othersCpu: 0.2, steal: 0, throttleEvents: null })).toBeNull();
        const mac: LoadFacts = { platform: "darwin", cores: 8, read: () => null, loadavg: () => [9.5, 0, 0] };
        const load = machineLoad(snapshotLoad(mac), snapshotLoad(mac), mac);
        expect(load).toEqual({ loadAverage: 9.5, cores: 8, othersCpu: null, steal: null, throttleEvents: null });
        expect(busyReason(load)).toBe("load 9.5 on 8 cores");
        expect(busyReason(null)).toBeNull();
    });
});
