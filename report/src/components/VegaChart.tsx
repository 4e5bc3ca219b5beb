/**
 * The one chart island: embeds a serialisable vega-lite spec with vega-embed (SVG, the default tooltip handler,
 * which escapes what it shows) and finalizes the view on unmount. vega-embed is imported when the chart first
 * shows, as one chunk every page shares.
 */
import { useEffect, useRef } from "react";

export interface VegaChartProps {
    /**
     * A vega-lite spec with its data inline, as JSON text: one string prop, which Astro serialises far smaller and
     * faster than a nested object (every nested value would get its own type tag).
     */
    spec: string;
    /** What the chart shows, for screen readers (its data table follows it on the page). */
    label: string;
}

export default function VegaChart({ spec, label }: VegaChartProps) {
    const ref = useRef<HTMLDivElement>(null);
    useEffect(() => {
        let finalize: (() => void) | undefined;
        let cancelled = false;
        import("vega-embed").then(({ default: embed }) => {
            if (cancelled || ref.current == null) return;
            return embed(ref.current, JSON.parse(spec) as never, { actions: false, renderer: "svg" }).then((result) => {
                if (cancelled) result.finalize();
                else finalize = () => result.finalize();
            });
        }).catch((error: unknown) => {
            if (!cancelled && ref.current != null) ref.current.textContent = `This chart could not be drawn: ${String(error)}`;
        });
        return () => {
            cancelled = true;
            finalize?.();
        };
    }, [spec]);
    return <div ref={ref} className="vega-chart" role="img" aria-label={label} />;
}
