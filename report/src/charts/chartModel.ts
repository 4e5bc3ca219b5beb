/**
 * A chart as a page holds it: a serialisable vega-lite spec for the one chart island, and the same figures as a
 * table for screen readers and anyone who wants the numbers. Colours are Okabe and Ito's palette, which stays
 * apart under the common colour-vision deficiencies; series also differ by shape where points carry them.
 */

/** Okabe–Ito, the yellow last (it is faint on white). */
export const palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"] as const;
export const shapes = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "triangle-left", "triangle-right"] as const;

export type Spec = Record<string, unknown>;

export interface DataTable {
    columns: string[];
    rows: string[][];
}

export interface ChartModel {
    /** Unique within the page (an HTML id). */
    id: string;
    title: string;
    /** What direction is better in this chart: `higher is better`, `up and to the left is better`. */
    better: string;
    /** The vega-lite spec, data inline: JSON only, no functions. */
    spec: Spec;
    table: DataTable;
}

/** The parts every spec shares: schema, title with its direction as subtitle, fonts, the palette. */
export function baseSpec(title: string, subtitle: string | string[]): Spec {
    return {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        // vega does not wrap titles: lines short enough for a phone's width (390 px), broken at spaces
        title: { text: wrapLine(title, titleWidth), subtitle: (Array.isArray(subtitle) ? subtitle : [subtitle]).flatMap((line) => wrapLine(line, subtitleWidth)), anchor: "start", subtitleColor: "#444" },
        background: "white",
        config: {
            font: "system-ui, sans-serif",
            range: { category: [...palette] },
            axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: "#e6e6e6" },
            // under the plot, so a narrow screen keeps its width for the plot
            legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: { expr: "containerSize()[0] > 0 ? clamp(containerSize()[0] - 110, 120, 260) : 260" }, orient: "bottom", direction: "vertical" },
            view: { stroke: null }
        }
    };
}

/** Series beyond this many get no legend (it would bury the chart): tooltips and the data table name them. */
export const maxLegendEntries = 16;

/** Colour and shape for a series field: the same value gets the same colour and shape in one chart. */
export function seriesEncoding(field: string, title: string, domain: readonly string[]): Spec {
    const legend = domain.length > maxLegendEntries ? { legend: null } : {};
    return {
        color: { field, type: "nominal", title, ...legend, scale: { domain: [...domain], range: domain.map((_, i) => palette[i % palette.length]) } },
        shape: { field, type: "nominal", title, ...legend, scale: { domain: [...domain], range: domain.map((_, i) => shapes[(i + Math.floor(i / palette.length)) % shapes.length]) } }
    };
}

/** Characters of a subtitle line: about 300 px of 11 px text, inside a phone's 390 px. */
export const subtitleWidth = 50;

/** Characters of a title line: about 300 px of 13 px bold text (`Aggregate decode tokens/s (S_TG) against concurrency` ran past 390 px). */
export const titleWidth = 38;

/** `text` broken at spaces into lines of at most `width` characters (a longer word stays whole). */
export function wrapLine(text: string, width: number): string[] {
    const lines: string[] = [];
    let line = "";
    for (const word of text.split(" ")) {
        if (line !== "" && line.length + 1 + word.length > width) {
            lines.push(line);
            line = word;
        } else line = line === "" ? word : `${line} ${word}`;
    }
    if (line !== "" || lines.length === 0) lines.push(line);
    return lines;
}
