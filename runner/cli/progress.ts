/** One status line on stderr: rewritten in place on a terminal, one line per config otherwise (CI logs). */
import type { Config } from "../plan/types.ts";
import type { ConfigRecord, Phase } from "../results.ts";
import { formatBytes } from "../format/bytes.ts";
import { visible } from "../format/visible.ts";
import { nonEmpty } from "../paths.ts";

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
        this.#live = stream.isTTY === true && nonEmpty(process.env.CI) == null;
    }

    configStart(config: Config, index: number, total: number) {
        this.#prefix = `[${index + 1}/${total}] ${visible(config.label)}`;
        if (this.#live) this.#draw(`${this.#prefix} · starting`);
        else this.#stream.write(`${this.#prefix} …\n`);
    }

    /** One bar per config: its runs and quality chunks (`fraction`), whatever phase they are in. */
    progress(progress: { phase: Phase; step: string; tps?: number; fraction?: number }) {
        if (!this.#live) return;
        const now = this.#now();
        if (now - this.#lastDraw < 100) return;
        this.#lastDraw = now;
        const tps = progress.tps != null ? ` · ${progress.tps.toFixed(1)} tok/s` : "";
        const bar = progress.fraction != null ? ` ${progressBar(progress.fraction, 16)}` : "";
        this.#draw(`${this.#prefix}${bar} · ${visible(progress.step)} · ${progress.phase}${tps}`);
    }

    /** A line of its own, above the live line (e.g. a reference just computed). */
    note(text: string) {
        this.clear();
        this.#stream.write(`${text}\n`);
    }

    /** A model's bytes arriving (`downloading`) or being written (`writing`, a synthetic model). */
    download(done: number, total: number, activity: "downloading" | "writing" = "downloading") {
        if (!this.#live) return;
        const now = this.#now();
        if (now - this.#lastDraw < 200 && done < total) return;
        this.#lastDraw = now;
        this.#draw(`${this.#prefix} · ${activity} ${progressBar(total > 0 ? done / total : 0, 24)} ${formatBytes(done)} / ${formatBytes(total)}`);
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

/** `[#####...........]`: `fraction` (0–1) of `width` cells filled. */
export function progressBar(fraction: number, width: number): string {
    const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
    return `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
}
