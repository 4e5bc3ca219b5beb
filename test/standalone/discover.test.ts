/**
 * Discovery against fake homes laid out as each tool lays out its files: the Hugging Face cache (snapshot links to
 * blobs), LM Studio, llama.cpp's cache, Ollama's manifests and blobs, a given folder; a broken link and a missing
 * folder are skipped with a note, and nothing in those folders changes.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { discover, discoveredSuite } from "../../runner/discover/discover.ts";
import { defaultLocations, givenLocation } from "../../runner/discover/locations.ts";
import { discoverModels } from "../../runner/cli/discoverModels.ts";
import { InputError } from "../../runner/errors.ts";
import { GGUFValueType, writeGgufFile } from "../../runner/models/gguf/ggufWriter.ts";
import { parseSuite } from "../../runner/suite/parseSuite.ts";

let root: string;
let home: string;
const fileTypes = { F16: 1, Q8_0: 7, Q4_0: 2, Q4_K_M: 15 } as const;

/** A small GGUF: a llama header naming the model and its file type, one F32 tensor. */
async function gguf(file: string, name: string, quant: keyof typeof fileTypes, parameters = 8_030_000_000): Promise<void> {
    mkdirSync(path.dirname(file), { recursive: true });
    await writeGgufFile(file, {
        "general.architecture": { type: GGUFValueType.STRING, value: "llama" },
        "general.name": { type: GGUFValueType.STRING, value: name },
        "general.file_type": { type: GGUFValueType.UINT32, value: fileTypes[quant] },
        "general.parameter_count": { type: GGUFValueType.UINT64, value: BigInt(parameters) }
    }, [{ name: "output_norm.weight", shape: [8], type: 0 }], () => [new Uint8Array(32)]);
}

/** Every file under `dir` with its size and mtime: what "nothing changed" is checked against. */
function snapshot(dir: string): string[] {
    const out: string[] = [];
    const walk = (d: string) => {
        for (const name of readdirSync(d).sort()) {
            const full = path.join(d, name);
            const info = statSync(full, { throwIfNoEntry: false });
            if (info?.isDirectory()) walk(full);
            else out.push(`${full} ${info?.size ?? "link"} ${info?.mtimeMs ?? ""}`);
        }
    };
    walk(dir);
    return out;
}

beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), "gguf-bench-discover-"));
    home = path.join(root, "home");
    // Hugging Face: the snapshot names a link to the blob
    const repo = path.join(home, ".cache/huggingface/hub/models--meta-llama--Llama-3-8B-GGUF");
    await gguf(path.join(repo, "blobs", "a".repeat(64)), "Meta Llama 3 8B", "Q4_K_M");
    mkdirSync(path.join(repo, "snapshots/0123abc"), { recursive: true });
    symlinkSync(path.join("..", "..", "blobs", "a".repeat(64)), path.join(repo, "snapshots/0123abc/llama-3-8b-Q4_K_M.gguf"));
    // LM Studio: publisher/repo/file, and a broken link beside it
    await gguf(path.join(home, ".lmstudio/models/lmstudio-community/Llama-3-8B-GGUF/llama-3-8b-Q8_0.gguf"), "Meta Llama 3 8B", "Q8_0");
    symlinkSync(path.join(root, "gone.gguf"), path.join(home, ".lmstudio/models/lmstudio-community/Llama-3-8B-GGUF/broken-Q4_0.gguf"));
    // llama.cpp's -hf cache
    await gguf(path.join(home, ".cache/llama.cpp/bartowski_Qwen2.5-1.5B-GGUF_qwen2.5-1.5b-F16.gguf"), "Qwen2.5 1.5B", "F16", 1_540_000_000);
    // Ollama: a manifest naming the model layer by digest, the blob under blobs/sha256-<hex>
    const ollama = path.join(home, ".ollama/models");
    const digest = "b".repeat(64);
    await gguf(path.join(ollama, "blobs", `sha256-${digest}`), "Meta Llama 3 8B", "Q4_0");
    mkdirSync(path.join(ollama, "manifests/registry.ollama.ai/library/llama3"), { recursive: true });
    writeFileSync(path.join(ollama, "manifests/registry.ollama.ai/library/llama3/8b-q4_0"), JSON.stringify({
        schemaVersion: 2,
        layers: [
            { mediaType: "application/vnd.ollama.image.template", digest: `sha256:${"c".repeat(64)}`, size: 1 },
            { mediaType: "application/vnd.ollama.image.model", digest: `sha256:${digest}`, size: 1 }
        ]
    }));
    writeFileSync(path.join(ollama, "manifests/registry.ollama.ai/library/llama3/broken"), "{ not json");
    // a folder the user names, with a file that is not a GGUF
    await gguf(path.join(root, "mine/models/qwen-Q8_0.gguf"), "Qwen2.5 1.5B", "Q8_0", 1_540_000_000);
    writeFileSync(path.join(root, "mine/models/notes-Q4_0.gguf"), "not a model");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe("discover", () => {
    it("finds each tool's files, read-only, and groups them by base model from their headers", async () => {
        const before = snapshot(root);
        const locations = [...defaultLocations(home, {}, []), givenLocation(path.join(root, "mine")), givenLocation(path.join(root, "nowhere"))];
        const found = await discover(locations);
        expect(snapshot(root)).toEqual(before);
        expect(found.families.map((f) => f.title)).toEqual(["Meta Llama 3 8B · llama · 8B", "Qwen2.5 1.5B · llama · 1.5B"]);
        const llama = found.families[0]!.models.map((m) => [m.quant, m.file.kind, m.file.name]);
        expect(llama).toEqual(expect.arrayContaining([
            ["Q4_K_M", "hf", "meta-llama/Llama-3-8B-GGUF"],
            ["Q8_0", "lmstudio", null],
            ["Q4_0", "ollama", "llama3:8b-q4_0"]
        ]));
        expect(llama).toHaveLength(3); // the hub's blob is not found a second time under blobs/
        expect(found.families[1]!.models.map((m) => [m.quant, m.file.kind])).toEqual(expect.arrayContaining([["F16", "llamacpp"], ["Q8_0", "folder"]]));
        const notes = found.notes.join("\n");
        expect(notes).toMatch(/broken-Q4_0\.gguf: a broken link; skipped/);
        expect(notes).toMatch(/nowhere: no such folder; skipped/);
        expect(notes).toMatch(/llama3\/broken: not an Ollama manifest/);
        expect(notes).toMatch(/notes-Q4_0\.gguf: not a readable GGUF file/);
    });

    it("reads an Ollama store named as a folder by its manifests", async () => {
        const found = await discover([givenLocation(path.join(home, ".ollama/models"))]);
        expect(found.families.flatMap((f) => f.models.map((m) => m.file.name))).toEqual(["llama3:8b-q4_0"]);
    });

    it("takes the default locations from the environment as each tool does", () => {
        const dirs = defaultLocations("/h", { HF_HOME: "/hf", LLAMA_CACHE: "/lc", OLLAMA_MODELS: "/om" }, ["/sys/ollama"]).map((l) => `${l.kind} ${l.dir}`);
        expect(dirs).toEqual(["hf /hf/hub", "lmstudio /h/.lmstudio/models", "lmstudio /h/.cache/lm-studio/models", "llamacpp /lc", "llamacpp /h/Library/Caches/llama.cpp", "ollama /om"]);
        expect(defaultLocations("/h", {}, ["/sys/ollama"]).filter((l) => l.kind === "ollama").map((l) => l.dir)).toEqual(["/h/.ollama/models", "/sys/ollama"]);
    });

    it("writes a suite that parses, with every file found, and never over an existing file", async () => {
        vi.spyOn(console, "log").mockImplementation(() => undefined);
        vi.spyOn(console, "error").mockImplementation(() => undefined);
        const suite = path.join(root, "discovered.yaml");
        expect(await discoverModels({ dirs: [path.join(root, "mine")], writeSuite: suite, home, env: {}, systemOllama: [] })).toBe(0);
        const parsed = parseSuite(suite);
        expect(parsed.models).toHaveLength(5);
        expect(parsed.tests.map((t) => t.id)).toEqual(["pp512", "tg128"]);
        expect(readFileSync(suite, "utf8")).toContain("# Meta Llama 3 8B · llama · 8B");
        await expect(discoverModels({ dirs: [], writeSuite: suite, home, env: {}, systemOllama: [] })).rejects.toThrow(InputError);
        await expect(discoverModels({ dirs: [], writeSuite: suite, home, env: {}, systemOllama: [] })).rejects.toThrow(/the file exists; name a new one/);
        expect(discoveredSuite({ families: [], notes: [] })).toContain("models:");
    });
});
