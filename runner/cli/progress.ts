/** One status line on stderr: rewritten in place on a terminal, one line per config otherwise (CI logs). */
import type { Config } from "../plan/types.ts";
import type { ConfigRecord, Phase } from "../results.ts";
import { formatBytes } from "../format/bytes.ts";
import { visible } from "../format/visible.ts";

export class ProgressLine {
    readonly #stream: NodeJS.WriteStream;
    readonly #live: boolean;
    #lastDraw = 0;
    #prefix = "";
    readonly #now: () => number;

    /** `now` is the clock the redraw throttle reads (tests pass their own). Defaults to `Date.now`. */
    constructor(stream: NodeJS.WriteStream = process.stderr, now: () => number = Date.now) {
        this.#stream = stream;
        this.#now = now;
        this.#live = stream.isTTY === true && process.env.CI == null;
    }

    configStart(config: Config, index: number, total: number) {
        this.#prefix = `[${index + 1}/${total}] ${visible(config.label)}`;
        if (this.#live) this.#draw(`${this.#prefix} · starting`);
        else this.#stream.write(`${this.#prefix} …\n`);
    }

    progress(progress: { phase: Phase; step: string; tps?: number }) {
        if (!this.#live) return;
        const now = this.#now();
        if (now - this.#lastDraw < 100) return;
        this.#lastDraw = now;
        const tps = progress.tps != null ? ` · ${progress.tps.toFixed(1)} tok/s` : "";
        this.#draw(`${this.#prefix} · ${visible(progress.step)} · ${progress.phase}${tps}`);
    }

    /** A model's bytes arriving (`downloading`) or being written (`writing`, a synthetic model). */
    download(done: number, total: number, activity: "downloading" | "writing" = "downloading") {
        if (!this.#live) return;
        const now = this.#now();
        if (now - this.#lastDraw < 200 && done < total) return;
        this.#lastDraw = now;
        const width = 24;
        const filled = total > 0 ? Math.round((done / total) * width) : 0;
        this.#draw(`${this.#prefix} · ${activity} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${formatBytes(done)} / ${formatBytes(total)}`);
    }

    configDone(record: ConfigRecord) {
        const what = record.status === "ok" ? "ok" : `${record.status}: ${record.error ?? ""}`;
        this.clear();
        this.#stream.write(`${this.#prefix} · ${visible(what)}\n`);
    }

    clear() {
        if (this.#live) this.#stream.write("\r\x1b[2K");
    }

    #draw(text: string) {
        const columns = this.#stream.columns ?? 120;
        this.#stream.write(`\r\x1b[2K${text.slice(0, columns - 1)}`);
    }
}
