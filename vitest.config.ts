import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        projects: [
            {
                test: {
                    name: "standalone",
                    include: ["test/standalone/**/*.test.ts"],
                    testTimeout: 20_000
                }
            },
            {
                test: {
                    name: "model",
                    include: ["test/model/**/*.test.ts"],
                    // real models: one file at a time so measurements do not compete for the 2 cores
                    fileParallelism: false,
                    testTimeout: 300_000,
                    hookTimeout: 300_000
                }
            },
            {
                test: {
                    name: "browser",
                    include: ["test/browser/**/*.test.ts"],
                    // one synthetic run, one site build, one chromium: kept apart from the measuring projects
                    fileParallelism: false,
                    testTimeout: 180_000,
                    hookTimeout: 600_000
                }
            }
        ]
    }
});
