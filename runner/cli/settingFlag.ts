/**
 * A command-line flag that sets a suite setting (`--repetitions`, `--max-tokens`, `--threads`): checked against that
 * setting's definition in suite.schema.json, so a flag has exactly the bounds and wording of the suite key.
 */
import suiteSchema from "../../suite.schema.json" with { type: "json" };
import { InputError } from "../errors.ts";
import { visible } from "../format/visible.ts";
import { suiteSchemaChecker } from "../suite/parseSuite.ts";
import type { Settings } from "../suite/types.ts";

type FlagSetting = "repetitions" | "maxTokens" | "threads";

export function settingFlag<K extends FlagSetting>(flag: string, key: K, text: string): Settings[K] {
    // digits only: `1e20`, `0x10`, ` 5` and `5.0` are not what anyone means by a count
    const value: unknown = /^\d+$/.test(text) ? Number(text) : text;
    const definition = suiteSchema.definitions[key];
    if (!suiteSchemaChecker.isValid(value, definition))
        throw new InputError(`${flag}: expected ${suiteSchemaChecker.describe(definition)}, got \`${visible(text)}\``);
    return value as Settings[K];
}
