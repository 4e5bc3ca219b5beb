/**
 * Checks a value against a JSON schema (suite.schema.json, run-file.schema.json) and returns the first problem, in
 * document order.
 *
 * Interprets the subset of JSON Schema draft-07 the suite schema uses, so that the schema editors read is the schema
 * the runner enforces, and every problem becomes one line: where, which key, what was expected. `errorMessage` (the
 * VS Code extension keyword) phrases "expected …" for a node; otherwise it is worded from the node's constraints.
 * A keyword outside the subset throws: the schema cannot silently say more than is checked.
 */

export type JsonSchema = boolean | { [keyword: string]: unknown };
export type SchemaPath = (string | number)[];

export interface SchemaIssue {
    /** Key path of the offending value (of the missing or unknown key, for those). */
    path: SchemaPath;
    /** `missing`: a required key is absent (locate its parent); `unknown`: locate the key itself. */
    kind: "invalid" | "missing" | "unknown";
    /** What was expected, e.g. "an integer >= 16". */
    expected: string;
    value?: unknown;
}

const checked = new Set([
    "$ref", "type", "enum", "minimum", "exclusiveMinimum", "maximum", "minLength", "pattern", "items", "minItems", "uniqueItems",
    "properties", "required", "additionalProperties", "if", "then", "else", "oneOf", "anyOf"
]);
const annotations = new Set(["$schema", "title", "description", "markdownDescription", "default", "examples", "definitions", "errorMessage"]);

export class SchemaChecker {
    constructor(private readonly root: Exclude<JsonSchema, boolean>) {
        this.assertSubset(root, "#");
    }

    /** The first problem of `value`, or `null` when it conforms. */
    check(value: unknown): SchemaIssue | null {
        return this.checkNode(value, this.root, [], "a valid value");
    }

    isValid(value: unknown, schema: JsonSchema): boolean {
        return this.checkNode(value, schema, [], "") === null;
    }

    /** Words for what a schema node accepts, e.g. "an integer >= 16" or "one of `stream`, `batch`". */
    describe(schema: JsonSchema): string {
        if (typeof schema === "boolean") return schema ? "anything" : "nothing";
        if (typeof schema.errorMessage === "string") return schema.errorMessage;
        if (typeof schema.$ref === "string") return this.describe(this.resolve(schema.$ref));
        const branches = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
        if (branches && schema.type === undefined) return branches.map((b) => this.describe(b)).join(" or ");
        if (Array.isArray(schema.enum)) {
            const shown = schema.enum.map((v) => `\`${String(v)}\``);
            return shown.length === 1 ? shown[0]! : `one of ${shown.join(", ")}`;
        }
        const bound = numberBound(schema);
        switch (schema.type) {
            case "integer": return `an integer${bound}`;
            case "number": return `a number${bound}`;
            case "boolean": return "`true` or `false`";
            case "string": return typeof schema.minLength === "number" && schema.minLength > 0 ? "a non-empty string" : "a string";
            case "array": return `${typeof schema.minItems === "number" && schema.minItems > 0 ? "a non-empty list" : "a list"}${schema.uniqueItems === true ? " of unique values" : ""}`;
            case "object": return "a mapping";
            case "null": return "`null`";
            default: return "a valid value";
        }
    }

    private checkNode(value: unknown, schema: JsonSchema, path: SchemaPath, expected: string): SchemaIssue | null {
        if (schema === true) return null;
        if (schema === false) return { path, kind: "invalid", expected, value };
        if (typeof schema.errorMessage === "string") expected = schema.errorMessage;
        if (typeof schema.$ref === "string") return this.checkNode(value, this.resolve(schema.$ref), path, expected);
        const here = typeof schema.errorMessage === "string" ? schema.errorMessage : this.describe(schema);
        const invalid: SchemaIssue = { path, kind: "invalid", expected: here, value };

        if (typeof schema.type === "string" && !hasType(value, schema.type)) return invalid;
        if (Array.isArray(schema.enum) && !schema.enum.some((allowed) => allowed === value)) return invalid;
        if (typeof value === "number") {
            if (typeof schema.minimum === "number" && value < schema.minimum) return invalid;
            if (typeof schema.exclusiveMinimum === "number" && value <= schema.exclusiveMinimum) return invalid;
            if (typeof schema.maximum === "number" && value > schema.maximum) return invalid;
        }
        if (typeof value === "string") {
            if (typeof schema.minLength === "number" && [...value].length < schema.minLength) return invalid;
            if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) return invalid;
        }
        if (Array.isArray(value)) {
            if (typeof schema.minItems === "number" && value.length < schema.minItems) return invalid;
            const seen = new Set<string>();
            for (const [index, item] of value.entries()) {
                if (schema.items !== undefined) {
                    const issue = this.checkNode(item, schema.items as JsonSchema, [...path, index], expected);
                    if (issue) return issue;
                }
                if (schema.uniqueItems === true) {
                    const key = JSON.stringify(item);
                    if (seen.has(key)) return { path: [...path, index], kind: "invalid", expected: "no duplicates in the list", value: item };
                    seen.add(key);
                }
            }
        }
        if (isMapping(value)) {
            const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
            for (const [key, child] of Object.entries(value)) {
                const childSchema = Object.hasOwn(properties, key) ? properties[key]! : schema.additionalProperties as JsonSchema | undefined;
                if (childSchema === false) {
                    const allowed = Object.keys(properties).map((k) => `\`${k}\``).join(", ");
                    return { path: [...path, key], kind: "unknown", expected: `one of ${allowed}` };
                }
                if (childSchema !== undefined) {
                    const issue = this.checkNode(child, childSchema, [...path, key], expected);
                    if (issue) return issue;
                }
            }
            for (const key of (schema.required ?? []) as string[]) {
                if (!Object.hasOwn(value, key)) {
                    const about = Object.hasOwn(properties, key) ? this.describe(properties[key]!) : "a value";
                    return { path: [...path, key], kind: "missing", expected: about };
                }
            }
        }
        if (schema.if !== undefined) {
            const branch = this.isValid(value, schema.if as JsonSchema) ? schema.then : schema.else;
            if (branch !== undefined) {
                const issue = this.checkNode(value, branch as JsonSchema, path, expected);
                if (issue) return issue;
            }
        }
        for (const keyword of ["oneOf", "anyOf"] as const) {
            const branches = schema[keyword] as JsonSchema[] | undefined;
            if (!branches) continue;
            const passing = branches.filter((b) => this.isValid(value, b)).length;
            if (keyword === "oneOf" ? passing === 1 : passing >= 1) continue;
            // A list or mapping that fails the one branch of its shape: report the problem inside it.
            if (passing === 0 && (Array.isArray(value) || isMapping(value))) {
                // a `$ref` branch counts by the shape of what it names (`anyOf: [{ $ref: model }, { type: null }]`)
                const shaped = branches.map((b) => (typeof b === "object" && typeof b.$ref === "string" ? this.resolve(b.$ref) : b))
                    .filter((b) => typeof b === "object" && b.type === (Array.isArray(value) ? "array" : "object"));
                if (shaped.length === 1) return this.checkNode(value, shaped[0]!, path, expected);
            }
            return { path, kind: "invalid", expected, value };
        }
        return null;
    }

    private resolve(ref: string): JsonSchema {
        if (!ref.startsWith("#/")) throw new Error(`schema: only local $ref is supported, got ${ref}`);
        let node: unknown = this.root;
        for (const part of ref.slice(2).split("/")) node = (node as Record<string, unknown>)[part];
        if (node === undefined) throw new Error(`schema: $ref ${ref} points nowhere`);
        return node as JsonSchema;
    }

    private assertSubset(schema: unknown, where: string): void {
        if (typeof schema === "boolean") return;
        if (!isMapping(schema)) throw new Error(`schema: ${where} is not a schema`);
        for (const [keyword, sub] of Object.entries(schema)) {
            if (annotations.has(keyword) && keyword !== "definitions") continue;
            if (!checked.has(keyword) && keyword !== "definitions") throw new Error(`schema: keyword \`${keyword}\` at ${where} is not checked by runner/suite/checkSchema.ts`);
            if (keyword === "$ref") this.resolve(sub as string);
            else if (["properties", "definitions"].includes(keyword)) for (const [k, s] of Object.entries(sub as object)) this.assertSubset(s, `${where}/${keyword}/${k}`);
            else if (["oneOf", "anyOf"].includes(keyword)) (sub as unknown[]).forEach((s, i) => this.assertSubset(s, `${where}/${keyword}/${i}`));
            else if (["items", "if", "then", "else", "additionalProperties"].includes(keyword)) this.assertSubset(sub, `${where}/${keyword}`);
        }
    }
}

/** ` >= 1`, ` > 0`, ` from 1 to 10000`, ` > 0 and <= 604800`: a number node's bounds in words. */
function numberBound(schema: { [keyword: string]: unknown }): string {
    const { minimum, exclusiveMinimum, maximum } = schema;
    const fmt = String;
    if (typeof maximum === "number") {
        if (typeof minimum === "number") return ` from ${fmt(minimum)} to ${fmt(maximum)}`;
        if (typeof exclusiveMinimum === "number") return ` > ${fmt(exclusiveMinimum)} and <= ${fmt(maximum)}`;
        return ` <= ${fmt(maximum)}`;
    }
    if (typeof minimum === "number") return ` >= ${fmt(minimum)}`;
    if (typeof exclusiveMinimum === "number") return ` > ${fmt(exclusiveMinimum)}`;
    return "";
}

function isMapping(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function hasType(value: unknown, type: string): boolean {
    switch (type) {
        case "object": return isMapping(value);
        case "array": return Array.isArray(value);
        case "string": return typeof value === "string";
        case "boolean": return typeof value === "boolean";
        case "number": return typeof value === "number" && Number.isFinite(value);
        case "integer": return typeof value === "number" && Number.isSafeInteger(value);
        case "null": return value === null;
        default: throw new Error(`schema: unknown type ${type}`);
    }
}
