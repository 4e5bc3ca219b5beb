import { describe, expect, it } from "vitest";
import { formatBytes } from "../../runner/format/bytes.ts";
import { formatMs } from "../../runner/format/duration.ts";

describe("formatBytes", () => {
    it("shows plain bytes below 1 KiB", () => {
        expect(formatBytes(0)).toBe("0 B");
        expect(formatBytes(980)).toBe("980 B");
        expect(formatBytes(1023)).toBe("1023 B");
    });

    it("uses one decimal below 10 of a unit and whole numbers above", () => {
        expect(formatBytes(1024)).toBe("1.0 KiB");
        expect(formatBytes(512 * 1024 ** 2)).toBe("512 MiB");
        expect(formatBytes(1.2 * 1024 ** 3)).toBe("1.2 GiB");
        expect(formatBytes(9.96 * 1024 ** 2)).toBe("10 MiB");
        expect(formatBytes(3 * 1024 ** 4)).toBe("3.0 TiB");
    });

    it("moves to the next unit instead of showing 1024 of one", () => {
        expect(formatBytes(1023.7 * 1024 ** 2)).toBe("1.0 GiB");
    });

    it("keeps the sign and names values that are not numbers", () => {
        expect(formatBytes(-2048)).toBe("-2.0 KiB");
        expect(formatBytes(Infinity)).toBe("∞");
        expect(formatBytes(Number.NaN)).toBe("? B");
    });
});

describe("formatMs", () => {
    it("keeps about three significant digits in milliseconds", () => {
        expect(formatMs(0.4211)).toBe("0.42 ms");
        expect(formatMs(12.34)).toBe("12.3 ms");
        expect(formatMs(99.96)).toBe("100 ms");
        expect(formatMs(850.4)).toBe("850 ms");
    });

    it("switches to seconds, minutes and hours", () => {
        expect(formatMs(999.6)).toBe("1.00 s");
        expect(formatMs(1250)).toBe("1.25 s");
        expect(formatMs(12_340)).toBe("12.3 s");
        expect(formatMs(125_000)).toBe("2 min 5 s");
        expect(formatMs(120_000)).toBe("2 min");
        expect(formatMs(3_720_000)).toBe("1 h 2 min");
        expect(formatMs(7_200_000)).toBe("2 h");
    });

    it("keeps the sign and names values that are not numbers", () => {
        expect(formatMs(-5)).toBe("-5.0 ms");
        expect(formatMs(Infinity)).toBe("∞");
        expect(formatMs(Number.NaN)).toBe("? ms");
    });
});
